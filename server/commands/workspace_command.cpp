// telinject.instrumentWorkspace: every folder with its own settings through core's batch
// pipeline (features/workspace_instrument.cpp), progress as $/progress on a work-done token,
// the open documents' edits applied by the client.
#include "commands/commands.h"
#include "features/workspace_instrument.h"

namespace telinject::server {
namespace {

using nlohmann::json;
using protocol::ErrorCode;

void run_workspace(CommandHost& host, protocol::Reply<json> reply, json token) {
  host.run_cancellable(std::move(reply), [&host, token](protocol::Reply<json> reply,
                                                        const std::atomic<bool>& cancelled) {
    auto progress = [&](json value) {
      if (!token.is_null()) host.notify("$/progress", lsp::ProgressParams{token, value});
    };
    progress(json{{"kind", "begin"},
                  {"title", "Instrumenting the workspace"},
                  {"cancellable", true},
                  {"percentage", 0}});
    // Each folder with its own settings (filters, profile, cache).
    std::vector<FolderSettings> kept;  // owns the caches while the run uses them
    std::vector<WorkspaceFolderRun> folders;
    for (const std::filesystem::path& root : host.roots()) {
      kept.push_back(host.folder_for(root));
      folders.push_back({root, kept.back().settings, kept.back().cache.get()});
    }
    WorkspaceInstrumentResult result = instrument_workspace(
        folders, [&host](const std::string& uri) { return host.snapshot(uri); },
        host.edit_support(), host.encoding(), cancelled,
        [&](int percentage, const std::string& message) {
          progress(json{{"kind", "report"}, {"message", message}, {"percentage", percentage}});
        });
    for (const std::string& problem : result.problems)
      host.log(lsp::MessageType::kWarning, problem);
    if (result.cancelled) {
      progress(json{{"kind", "end"}, {"message", "cancelled"}});
      reply.error(ErrorCode::kRequestCancelled, "cancelled");
      return;
    }
    progress(json{{"kind", "end"},
                  {"message", std::to_string(result.functions) + " functions in " +
                                  std::to_string(result.files_changed) + " files"}});
    if (!result.has_edits) {
      reply(json{{"applied", true}, {"files", result.files_changed}});
      return;
    }
    host.apply_edit(std::move(result.edit), "Instrument workspace", std::move(reply));
  });
}

}  // namespace

void instrument_workspace_command(CommandHost& host, CommandCall call,
                                  protocol::Reply<json> reply) {
  host.with_progress_token(std::move(reply), call.work_done_token,
                           [&host](protocol::Reply<json> reply, json token) {
                             run_workspace(host, std::move(reply), std::move(token));
                           });
}

}  // namespace telinject::server
