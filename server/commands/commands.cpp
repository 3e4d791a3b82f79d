#include "commands/commands.h"

#include <optional>
#include <utility>

#include "script_cache.h"

namespace telinject::server {
namespace {

const std::vector<std::pair<std::string, CommandHandler>>& command_table() {
  static const std::vector<std::pair<std::string, CommandHandler>> table = {
      {"telinject.instrumentFile", instrument_file_command},
      {"telinject.removeFile", remove_file_command},
      {"telinject.instrumentWorkspace", instrument_workspace_command},
      {"telinject.clearCache", clear_cache_command},
      {"telinject.cacheStats", cache_stats_command},
      {kWriteRuntimeCommand, write_runtime_command},
  };
  return table;
}

}  // namespace

std::vector<std::string> command_names() {
  std::vector<std::string> names;
  for (const auto& [name, _] : command_table()) names.push_back(name);
  return names;
}

void execute_command(CommandHost& host, const lsp::ExecuteCommandParams& params,
                     protocol::Reply<nlohmann::json> reply) {
  const CommandHandler* handler = nullptr;
  for (const auto& [name, one] : command_table())
    if (name == params.command) handler = &one;
  if (!handler) {
    reply.error(protocol::ErrorCode::kInvalidParams, "unknown command " + params.command);
    return;
  }
  CommandCall call;
  call.command = params.command;
  call.arguments = params.arguments.value_or(std::vector<nlohmann::json>{});
  call.work_done_token = params.work_done_token.value_or(nlohmann::json());
  std::optional<std::filesystem::path> argument_path;
  if (!call.arguments.empty() && call.arguments[0].is_string())
    argument_path = path_from_uri(call.arguments[0].get<std::string>());
  call.folder = host.folder_for(argument_path          ? *argument_path
                                : host.roots().empty() ? std::filesystem::path()
                                                       : host.roots().front());
  // Scripts are written behind (ScriptCache's writer thread): what this session computed is on
  // disk before it is counted or cleared.
  if (call.folder.cache) (void)call.folder.cache->wait_for_writes();
  (*handler)(host, std::move(call), std::move(reply));
}

}  // namespace telinject::server
