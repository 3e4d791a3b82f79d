// What a workspace/executeCommand handler may use of the session: the open documents, the
// folders' settings and caches, the client's capabilities, and the session's scheduling
// (cancellable work on the pool, requests and notifications to the client).
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dispatcher.h"
#include "document.h"
#include "features/edits.h"
#include "lsp_lifecycle.h"
#include "lsp_types.h"
#include "lsp_workspace.h"
#include "workspace_folders.h"

namespace telinject {
class ScriptCache;
}

namespace telinject::server {

class CommandHost {
 public:
  using Snapshot = std::shared_ptr<const DocumentSnapshot>;
  /// Work for the pool: answers through the Reply, reads the flag at each unit of work.
  using Work = std::function<void(protocol::Reply<nlohmann::json>, const std::atomic<bool>&)>;

  virtual ~CommandHost() = default;

  /// The open document at `uri`, or null. Thread-safe.
  virtual Snapshot snapshot(const std::string& uri) const = 0;
  /// The folder holding `path`; the first folder's settings for paths outside every folder.
  /// Thread-safe.
  virtual FolderSettings folder_for(const std::filesystem::path& path) const = 0;
  /// The workspace folders (fixed after initialize).
  virtual const std::vector<std::filesystem::path>& roots() const = 0;
  virtual const EditSupport& edit_support() const = 0;
  virtual protocol::PositionEncoding encoding() const = 0;
  /// Whether the client lets the server create work-done progress tokens.
  virtual bool work_done_progress() const = 0;

  /// Runs `work` on the pool (queued behind `document`'s analysis when given) unless the
  /// request is cancelled first: then it answers RequestCancelled.
  virtual void run_cancellable(protocol::Reply<nlohmann::json> reply, Work work,
                               const Snapshot& document = nullptr) = 0;
  /// Asks the client to apply `edit` (workspace/applyEdit) and answers `reply` with
  /// {"applied": bool} once it did.
  virtual void apply_edit(lsp::WorkspaceEdit edit, std::string label,
                          protocol::Reply<nlohmann::json> reply) = 0;
  /// A work-done progress token for request `reply`'s progress: `client_token` when not null,
  /// else one the server creates (window/workDoneProgress/create) when the client allows it,
  /// else null. `start` runs with the token once it is known (at once, or on the client's
  /// answer); the token's cancel button cancels the request.
  virtual void with_progress_token(
      protocol::Reply<nlohmann::json> reply, nlohmann::json client_token,
      std::function<void(protocol::Reply<nlohmann::json>, nlohmann::json token)> start) = 0;
  /// Sends a notification to the client. Thread-safe.
  virtual void notify(std::string_view method, const nlohmann::json& params) = 0;
  /// Logs to stderr and the client's log window. Thread-safe.
  virtual void log(lsp::MessageType type, const std::string& message) = 0;
  /// The LLM's calls and cost since the server started (LlmService::usage). Thread-safe.
  virtual nlohmann::json llm_usage() const = 0;
};

}  // namespace telinject::server
