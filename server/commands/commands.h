// workspace/executeCommand: one table from command names to handlers, one file per family
// (file_commands.cpp, workspace_command.cpp, cache_commands.cpp).
#pragma once

#include <string>
#include <vector>

#include "commands/command_host.h"
#include "lsp_workspace.h"

namespace telinject::server {

/// What a command gets: its arguments, the folder it is about (the one holding its first
/// argument, a document or folder URI, else the first workspace folder) and the request's
/// work-done token (null when none).
struct CommandCall {
  std::string command;
  std::vector<nlohmann::json> arguments;
  FolderSettings folder;
  nlohmann::json work_done_token;
};

using CommandHandler =
    std::function<void(CommandHost& host, CommandCall call, protocol::Reply<nlohmann::json>)>;

/// The commands, in the order the server announces them (executeCommandProvider).
std::vector<std::string> command_names();

/// Runs the command `params` names, answering `reply` (InvalidParams for an unknown one).
/// Call on the io thread.
void execute_command(CommandHost& host, const lsp::ExecuteCommandParams& params,
                     protocol::Reply<nlohmann::json> reply);

// The families (each in its own file).
void instrument_file_command(CommandHost& host, CommandCall call,
                             protocol::Reply<nlohmann::json> reply);
void remove_file_command(CommandHost& host, CommandCall call,
                         protocol::Reply<nlohmann::json> reply);
void write_runtime_command(CommandHost& host, CommandCall call,
                           protocol::Reply<nlohmann::json> reply);
void instrument_workspace_command(CommandHost& host, CommandCall call,
                                  protocol::Reply<nlohmann::json> reply);
void clear_cache_command(CommandHost& host, CommandCall call,
                         protocol::Reply<nlohmann::json> reply);
void cache_stats_command(CommandHost& host, CommandCall call,
                         protocol::Reply<nlohmann::json> reply);

}  // namespace telinject::server
