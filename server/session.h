// Session: one client connection. Binds every LSP method in one table, keeps the open
// documents and settings, and schedules the features: cheap bookkeeping on the io thread, the
// features themselves on a worker pool, each from an immutable document snapshot.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cancellation.h"
#include "commands/command_host.h"
#include "dispatcher.h"
#include "document.h"
#include "document_analysis.h"
#include "features/edits.h"
#include "llm_service.h"
#include "lsp_documents.h"
#include "lsp_lifecycle.h"
#include "lsp_workspace.h"
#include "script_cache.h"
#include "workspace_folders.h"

namespace telinject::server {

struct SessionOptions {
  /// Threads for the features, and as many more for the documents' analyses (parse and
  /// extraction). 0: synchronous, for tests and fuzzing: every feature and analysis runs inside
  /// handle() on the caller's thread, and the session starts no thread of its own.
  size_t worker_threads = 2;
  /// Diagnostics wait this long after the last change of a document (0: publish at once).
  int debounce_ms = 50;
};

class ClientLog;

class Session : private CommandHost {
 public:
  /// `send` writes one message body to the client (thread-safe). `on_exit` runs once on
  /// `exit`, with the process exit code the spec asks for (0 after shutdown, else 1).
  Session(boost::asio::io_context& io, std::function<void(std::string body)> send,
          std::function<void(int exit_code)> on_exit, SessionOptions options = {});
  ~Session();

  /// Handles one message body from the client. Never throws; call on the io thread.
  void handle(std::string body);
  /// The client went away (stdin closed).
  void disconnected();
  /// Entries of the cancellation registry: requests accepted and not answered yet, and their
  /// progress tokens (0 when the session is idle). Thread-safe.
  size_t requests_in_flight() const { return cancellation_.size(); }

 private:
  using Folder = FolderSettings;

  void bind_methods();
  void initialize(lsp::InitializeParams params, protocol::Reply<lsp::InitializeResult> reply);
  /// Recomputes every folder's settings (WorkspaceFolders::reload) from the client's options,
  /// and the session's tuning (debounce, log level).
  void reload_settings();
  /// Asks the client for each folder's "telinject" section, when it can answer; reloads and
  /// re-diagnoses on the answer.
  void pull_configuration();
  /// Registers watchers of the project config files, when the client lets servers register.
  void register_watchers();
  void republish_all();
  void did_open(lsp::DidOpenTextDocumentParams params);
  void did_change(lsp::DidChangeTextDocumentParams params);
  void did_close(lsp::DidCloseTextDocumentParams params);
  void code_action(lsp::CodeActionParams params,
                   protocol::Reply<std::vector<lsp::CodeAction>> reply);
  void resolve(lsp::ResolveCodeActionParams params, protocol::Reply<lsp::CodeAction> reply);
  void hover(lsp::TextDocumentPositionParams params,
             protocol::Reply<std::optional<lsp::Hover>> reply);
  void will_save_wait_until(lsp::WillSaveTextDocumentParams params,
                            protocol::Reply<std::vector<lsp::TextEdit>> reply);
  // CommandHost: what the commands use of the session.
  Snapshot snapshot(const std::string& uri) const override;
  Folder folder_for(const std::filesystem::path& path) const override;
  const std::vector<std::filesystem::path>& roots() const override { return folders_.roots(); }
  const EditSupport& edit_support() const override { return edit_support_; }
  protocol::PositionEncoding encoding() const override { return encoding_; }
  bool work_done_progress() const override { return work_done_progress_; }
  nlohmann::json llm_usage() const override { return llm_.usage(); }
  void run_cancellable(protocol::Reply<nlohmann::json> reply, Work work,
                       const Snapshot& document) override {
    run_request<nlohmann::json>(std::move(reply), std::move(work), document);
  }
  void apply_edit(lsp::WorkspaceEdit edit, std::string label,
                  protocol::Reply<nlohmann::json> reply) override;
  void with_progress_token(
      protocol::Reply<nlohmann::json> reply, nlohmann::json client_token,
      std::function<void(protocol::Reply<nlohmann::json>, nlohmann::json)> start) override;
  void notify(std::string_view method, const nlohmann::json& params) override {
    dispatcher_.notify(method, params);
  }
  void log(lsp::MessageType type, const std::string& message) override;

  void schedule_diagnostics(const std::string& uri);
  void publish_diagnostics(const std::string& uri);
  /// Runs `work` on the pool unless the request is cancelled first (then answers
  /// RequestCancelled). `work` gets the request's flag (cancellation_) to check at each unit
  /// of work. With `document`, `work` is queued only once that snapshot is analysed.
  template <class Result>
  void run_request(protocol::Reply<Result> reply,
                   std::function<void(protocol::Reply<Result>, const std::atomic<bool>&)> work,
                   const Snapshot& document = nullptr);
  /// Runs `work`, logging what it throws instead of letting it end a pool thread (the last
  /// resort: handlers answer errors themselves).
  void guarded(const std::string& what, const std::function<void()>& work);
  /// window/logMessage, when initialized and the client's logLevel takes `type` (ClientLog).
  void to_client(lsp::MessageType type, std::string message);

  boost::asio::io_context& io_;
  std::function<void(std::string)> send_;
  std::function<void(int)> on_exit_;
  SessionOptions options_;
  // Before the dispatcher: the replies it still holds when it goes answer through it.
  CancellationRegistry cancellation_;
  protocol::Dispatcher dispatcher_;
  /// Runs `task` on the pool, or at once in synchronous mode. Defined in session.cpp.
  template <class Task>
  void run_on_pool(Task task);

  boost::asio::thread_pool pool_;
  // The documents' parses and extractions, each document's in the order its edits came, off
  // the io thread and the pool: a request waits only for its own document, and no pool thread
  // waits for an analysis. No thread in synchronous mode.
  DocumentAnalysis analysis_;
  std::shared_ptr<ClientLog> client_log_;  // in the log's sinks while the session lives

  // Lifecycle and capabilities: written by initialize, read-only after (io thread).
  bool initialized_ = false;
  bool shutting_down_ = false;
  protocol::PositionEncoding encoding_ = protocol::PositionEncoding::kUtf16;
  EditSupport edit_support_;
  bool resolve_edits_lazily_ = false;
  bool work_done_progress_ = false;
  bool configuration_pull_ = false;
  bool watched_files_registration_ = false;
  std::atomic<int> trace_{0};      // $/setTrace: 0 off, 1 messages, 2 verbose
  std::atomic<int> log_level_{4};  // window/logMessage up to this MessageType (4: log)
  std::atomic<int> progress_tokens_{0};

  WorkspaceFolders folders_;  // roots set by initialize; guards its own folders

  mutable std::mutex mutex_;  // guards documents_ and the client's options
  std::map<std::string, Snapshot> documents_;
  nlohmann::json client_options_ =
      nlohmann::json::object();  // initializationOptions, didChangeConfiguration
  std::map<std::filesystem::path, nlohmann::json> folder_options_;  // workspace/configuration
  std::map<std::string, std::unique_ptr<boost::asio::steady_timer>> debounce_;  // io thread
  LlmService llm_;  // the server's one LLM and budget (issue 12 item 2)
};

}  // namespace telinject::server
