// telinject.instrumentFile, telinject.removeFile (through a workspace edit the client applies)
// and telinject.writeRuntime (the helper module, on disk): one open document each.
#include "commands/commands.h"

namespace telinject::server {
namespace {

using nlohmann::json;
using protocol::ErrorCode;

// The open document named by the first argument, or null (the reply answered InvalidParams).
CommandHost::Snapshot document_argument(CommandHost& host, const CommandCall& call,
                                        protocol::Reply<json>& reply) {
  std::string uri = !call.arguments.empty() && call.arguments[0].is_string()
                        ? call.arguments[0].get<std::string>()
                        : "";
  CommandHost::Snapshot document = host.snapshot(uri);
  if (!document)
    reply.error(ErrorCode::kInvalidParams, "argument 1 must be the URI of an open document");
  return document;
}

void transform_file(CommandHost& host, const CommandCall& call, Action action,
                    protocol::Reply<json> reply) {
  CommandHost::Snapshot document = document_argument(host, call, reply);
  if (!document) return;
  host.run_cancellable(
      std::move(reply),
      [&host, document, action](protocol::Reply<json> reply, const std::atomic<bool>&) {
        FolderSettings folder = host.folder_for(document->path);
        const ServerSettings& current = folder.settings;
        TextResult result =
            transform_document(*document, action, nullptr, current, folder.cache.get());
        if (result.outcome.status == FileOutcome::Status::kError) {
          reply.error(ErrorCode::kRequestFailed, result.outcome.message);
          return;
        }
        const EditSupport& support = host.edit_support();
        if (action == Action::kInstrument && result.output != document->text &&
            !(support.document_changes && support.create_files)) {
          auto written = write_missing_helpers(*document, current);
          if (!written.ok()) {
            reply.error(ErrorCode::kRequestFailed, written.error());
            return;
          }
        }
        host.apply_edit(
            workspace_edit(*document, result.output, action, current, support, host.encoding()),
            action == Action::kInstrument ? "Instrument file" : "Remove telemetry",
            std::move(reply));
      },
      document);
}

}  // namespace

void instrument_file_command(CommandHost& host, CommandCall call, protocol::Reply<json> reply) {
  transform_file(host, call, Action::kInstrument, std::move(reply));
}

void remove_file_command(CommandHost& host, CommandCall call, protocol::Reply<json> reply) {
  transform_file(host, call, Action::kRemove, std::move(reply));
}

void write_runtime_command(CommandHost& host, CommandCall call, protocol::Reply<json> reply) {
  CommandHost::Snapshot document = document_argument(host, call, reply);
  if (!document) return;
  auto written = write_missing_helpers(*document, host.folder_for(document->path).settings);
  if (!written.ok()) {
    reply.error(ErrorCode::kRequestFailed, written.error());
    return;
  }
  json paths = json::array();
  for (const auto& path : *written) paths.push_back(path.string());
  reply(json{{"written", paths}});
}

}  // namespace telinject::server
