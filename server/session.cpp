#include "session.h"

#include <algorithm>
#include <boost/asio/post.hpp>

#include "client_log.h"
#include "commands/commands.h"
#include "features/code_actions.h"
#include "features/diagnostics.h"
#include "features/hover.h"
#include "features/on_save.h"
#include "jsonrpc.h"
#include "log.h"
#include "text_document.h"
#include "version.h"

namespace telinject::server {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using protocol::ErrorCode;

}  // namespace

Session::Session(boost::asio::io_context& io, std::function<void(std::string)> send,
                 std::function<void(int)> on_exit, SessionOptions options)
    : io_(io),
      send_(std::move(send)),
      on_exit_(std::move(on_exit)),
      options_(options),
      dispatcher_(
          send_,
          [this](std::string_view warning) {
            log(lsp::MessageType::kWarning, std::string(warning));
          },
          // The one erase path of the cancellation registry: every answer, whoever gave it.
          [this](const json& id) { cancellation_.erase(id); }),
      pool_(options.worker_threads),
      analysis_(options.worker_threads),
      client_log_(std::make_shared<ClientLog>([this](lsp::MessageType type, std::string message) {
        to_client(type, std::move(message));
      })) {
  // Core's log (cache warnings, validation failures) reaches the client too.
  logger().sinks().push_back(client_log_);
  bind_methods();
}

template <class Task>
void Session::run_on_pool(Task task) {
  if (options_.worker_threads == 0)
    task();
  else
    boost::asio::post(pool_, std::move(task));
}

Session::~Session() {
  // Analyses never wait for the pool, but hand it the work waiting for them: they finish
  // first, then the pool (whose features may still wait for a parse) runs dry.
  analysis_.join();
  pool_.join();
  auto& sinks = logger().sinks();
  sinks.erase(std::remove(sinks.begin(), sinks.end(), client_log_), sinks.end());
}

void Session::guarded(const std::string& what, const std::function<void()>& work) {
  try {
    work();
  } catch (const std::exception& e) {
    log(lsp::MessageType::kError, what + " failed: " + e.what());
  } catch (...) {
    log(lsp::MessageType::kError, what + " failed");
  }
}

void Session::log(lsp::MessageType type, const std::string& message) {
  // Through the log: stderr, and the client's log window (client_log_).
  switch (type) {
    case lsp::MessageType::kError:
      logger().error("{}", message);
      break;
    case lsp::MessageType::kWarning:
      logger().warn("{}", message);
      break;
    case lsp::MessageType::kInfo:
      logger().info("{}", message);
      break;
    default:
      logger().debug("{}", message);
      break;
  }
}

void Session::to_client(lsp::MessageType type, std::string message) {
  // Once the client is listening, as far as its logLevel setting asks.
  if (initialized_ && static_cast<int>(type) <= log_level_)
    dispatcher_.notify("window/logMessage", lsp::LogMessageParams{type, std::move(message)});
}

void Session::handle(std::string body) {
  protocol::Message message = protocol::parse_message(body);
  if (auto* request = std::get_if<protocol::Request>(&message)) {
    // Lifecycle rules: nothing but initialize before it, nothing but exit after shutdown.
    if (!initialized_ && request->method != "initialize") {
      send_(protocol::error_body(request->id, {ErrorCode::kServerNotInitialized,
                                               "the server is not initialized", std::nullopt}));
      return;
    }
    if (shutting_down_) {
      send_(protocol::error_body(
          request->id, {ErrorCode::kInvalidRequest, "the server is shutting down", std::nullopt}));
      return;
    }
    cancellation_.add(request->id);
  } else if (auto* notification = std::get_if<protocol::Notification>(&message)) {
    if (!initialized_ && notification->method != "exit") return;  // dropped, as the spec says
  }
  if (int trace = trace_; trace > 0) {
    // $/setTrace: a line per message received; "verbose" adds its params.
    const std::string* method = nullptr;
    const json* params = nullptr;
    if (auto* r = std::get_if<protocol::Request>(&message))
      method = &r->method, params = &r->params;
    if (auto* n = std::get_if<protocol::Notification>(&message))
      method = &n->method, params = &n->params;
    if (method && *method != "$/setTrace") {
      json trace_params = {{"message", "received " + *method}};
      if (trace > 1 && params) trace_params["verbose"] = params->dump();
      dispatcher_.notify("$/logTrace", trace_params);
    }
  }
  dispatcher_.dispatch(std::move(message));
}

void Session::disconnected() {
  // stdin closed without exit: stop as exit would.
  cancellation_.cancel_all();
  on_exit_(shutting_down_ ? 0 : 1);
}

void Session::bind_methods() {
  auto& d = dispatcher_;
  d.bind_request<lsp::InitializeParams, lsp::InitializeResult>(
      "initialize",
      [this](auto params, auto reply) { initialize(std::move(params), std::move(reply)); });
  d.bind_raw_notification("initialized", [this](json) {
    register_watchers();
    pull_configuration();
  });
  d.bind_raw_request("shutdown", [this](json, protocol::Reply<json> reply) {
    shutting_down_ = true;
    reply(nullptr);
  });
  d.bind_raw_notification("exit", [this](json) {
    // The work in flight stops at its next unit (a file being written is finished whole), so
    // `exit` does not wait for a whole workspace run.
    cancellation_.cancel_all();
    on_exit_(shutting_down_ ? 0 : 1);
  });
  d.bind_notification<lsp::CancelParams>(
      "$/cancelRequest", [this](lsp::CancelParams params) { cancellation_.cancel(params.id); });
  d.bind_raw_notification("window/workDoneProgress/cancel", [this](json params) {
    // The progress UI's cancel button: cancel the request that reports on this token.
    if (params.is_object() && params.contains("token"))
      cancellation_.cancel_progress(params["token"]);
  });
  d.bind_raw_notification("$/setTrace", [this](json params) {
    std::string value =
        params.is_object() && params.contains("value") && params["value"].is_string()
            ? params["value"].get<std::string>()
            : "off";
    trace_ = value == "verbose" ? 2 : value == "messages" ? 1 : 0;
  });
  d.bind_notification<lsp::DidOpenTextDocumentParams>(
      "textDocument/didOpen", [this](auto params) { did_open(std::move(params)); });
  d.bind_notification<lsp::DidChangeTextDocumentParams>(
      "textDocument/didChange", [this](auto params) { did_change(std::move(params)); });
  d.bind_notification<lsp::DidCloseTextDocumentParams>(
      "textDocument/didClose", [this](auto params) { did_close(std::move(params)); });
  d.bind_raw_notification("textDocument/didSave", [](json) {});
  d.bind_raw_notification("textDocument/willSave", [](json) {});
  d.bind_request<lsp::CodeActionParams, std::vector<lsp::CodeAction>>(
      "textDocument/codeAction",
      [this](auto params, auto reply) { code_action(std::move(params), std::move(reply)); });
  d.bind_request<lsp::ResolveCodeActionParams, lsp::CodeAction>(
      "codeAction/resolve",
      [this](auto params, auto reply) { resolve(std::move(params), std::move(reply)); });
  d.bind_request<lsp::TextDocumentPositionParams, std::optional<lsp::Hover>>(
      "textDocument/hover",
      [this](auto params, auto reply) { hover(std::move(params), std::move(reply)); });
  d.bind_request<lsp::WillSaveTextDocumentParams, std::vector<lsp::TextEdit>>(
      "textDocument/willSaveWaitUntil", [this](auto params, auto reply) {
        will_save_wait_until(std::move(params), std::move(reply));
      });
  d.bind_request<lsp::ExecuteCommandParams, json>(
      "workspace/executeCommand", [this](auto params, auto reply) {
        server::execute_command(*this, params, std::move(reply));
      });
  d.bind_notification<lsp::DidChangeConfigurationParams>(
      "workspace/didChangeConfiguration", [this](lsp::DidChangeConfigurationParams params) {
        // Push model: the settings come with the notification. Pull model (settings null, or
        // a client that answers workspace/configuration): ask for them, per folder.
        const json& ours = telinject_section(params.settings);
        if (ours.is_object() && !ours.empty()) {
          std::lock_guard lock(mutex_);
          client_options_ = ours;
        }
        reload_settings();
        republish_all();
        pull_configuration();
      });
  d.bind_raw_notification("workspace/didChangeWatchedFiles", [this](json) {
    // A project config file (.telinject.toml, pyproject.toml, .env) changed.
    reload_settings();
    republish_all();
  });
}

void Session::initialize(lsp::InitializeParams params,
                         protocol::Reply<lsp::InitializeResult> reply) {
  if (initialized_) {
    reply.error(ErrorCode::kInvalidRequest, "initialize was already called");
    return;
  }
  const lsp::ClientCapabilities& caps = params.capabilities;
  encoding_ = protocol::negotiate_position_encoding(caps.position_encodings());
  edit_support_.document_changes = caps.workspace_edit_document_changes();
  edit_support_.create_files = caps.workspace_edit_resource_operation("create");
  for (const std::string& property : caps.code_action_resolve_properties())
    if (property == "edit") resolve_edits_lazily_ = true;
  work_done_progress_ = caps.work_done_progress();
  configuration_pull_ = caps.workspace_configuration();
  watched_files_registration_ = caps.watched_files_dynamic_registration();
  if (params.trace) trace_ = *params.trace == "verbose" ? 2 : *params.trace == "messages" ? 1 : 0;
  std::vector<fs::path> roots;
  if (params.workspace_folders)
    for (const auto& folder : *params.workspace_folders)
      if (auto path = path_from_uri(folder.uri)) roots.push_back(*path);
  if (roots.empty() && params.root_uri)
    if (auto path = path_from_uri(*params.root_uri)) roots.push_back(*path);
  folders_.set_roots(std::move(roots));
  initialized_ = true;
  {
    json options = params.initialization_options.value_or(json::object());
    std::lock_guard lock(mutex_);
    if (options.is_object()) client_options_ = telinject_section(options);
  }
  reload_settings();

  lsp::InitializeResult result;
  auto& c = result.capabilities;
  c.position_encoding = std::string(protocol::position_encoding_name(encoding_));
  lsp::TextDocumentSyncOptions sync;
  sync.open_close = true;
  sync.change = lsp::TextDocumentSyncKind::kIncremental;
  sync.will_save_wait_until = true;
  sync.save = lsp::SaveOptions{false};
  c.text_document_sync = sync;
  c.hover_provider = true;
  c.code_action_provider =
      lsp::CodeActionOptions{std::vector<std::string>{"quickfix", "refactor.rewrite",
                                                      kInstrumentFileKind, kRemoveFileKind},
                             true};
  c.execute_command_provider = lsp::ExecuteCommandOptions{command_names()};
  c.workspace =
      lsp::WorkspaceServerCapabilities{lsp::WorkspaceFoldersServerCapabilities{true, false}};
  result.server_info = lsp::ServerInfo{"telinject-lsp", std::string(kVersion)};
  reply(result);
}

void Session::reload_settings() {
  json client;
  std::map<fs::path, json> per_folder;
  {
    std::lock_guard lock(mutex_);
    client = client_options_;
    per_folder = folder_options_;
  }
  SessionTuning tuning{options_.debounce_ms, log_level_};
  std::vector<std::string> warnings;
  std::vector<std::string> problems = folders_.reload(
      client, per_folder, &tuning,
      [this](const Config& config, const fs::path& cache_dir, bool read_only) {
        return llm_.for_config(config, cache_dir, read_only);
      },
      &warnings);
  options_.debounce_ms = tuning.debounce_ms;
  log_level_ = tuning.log_level;
  for (const std::string& problem : problems) log(lsp::MessageType::kError, problem);
  for (const std::string& warning : warnings) log(lsp::MessageType::kWarning, warning);
}

void Session::pull_configuration() {
  if (!configuration_pull_ || folders_.roots().empty()) return;
  json items = json::array();
  for (const fs::path& root : folders_.roots())
    items.push_back({{"scopeUri", uri_from_path(root)}, {"section", "telinject"}});
  dispatcher_.call("workspace/configuration", json{{"items", items}},
                   [this](protocol::Response response) {
                     if (response.error || !response.result.is_array()) return;
                     {
                       std::lock_guard lock(mutex_);
                       const std::vector<fs::path>& roots = folders_.roots();
                       for (size_t i = 0; i < roots.size() && i < response.result.size(); ++i)
                         if (response.result[i].is_object())
                           folder_options_[roots[i]] = response.result[i];
                     }
                     // Responses are dispatched on the io thread, in order with what the
                     // client sent after them.
                     reload_settings();
                     republish_all();
                   });
}

void Session::register_watchers() {
  if (!watched_files_registration_) return;
  json watchers = json::array();
  for (const char* pattern : {"**/.telinject.toml", "**/pyproject.toml", "**/.env"})
    watchers.push_back({{"globPattern", pattern}});
  json registration = {{"id", "telinject-config-files"},
                       {"method", "workspace/didChangeWatchedFiles"},
                       {"registerOptions", {{"watchers", watchers}}}};
  dispatcher_.call(
      "client/registerCapability", json{{"registrations", json::array({registration})}},
      [this](protocol::Response response) {
        if (response.error)
          log(lsp::MessageType::kWarning,
              "the client refused the config file watchers: " + response.error->message);
      });
}

void Session::republish_all() {
  std::vector<std::string> uris;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [uri, _] : documents_) uris.push_back(uri);
  }
  for (const std::string& uri : uris) schedule_diagnostics(uri);
}

Session::Folder Session::folder_for(const fs::path& path) const {
  return folders_.folder_for(path);
}

Session::Snapshot Session::snapshot(const std::string& uri) const {
  std::lock_guard lock(mutex_);
  auto it = documents_.find(uri);
  return it == documents_.end() ? nullptr : it->second;
}

void Session::did_open(lsp::DidOpenTextDocumentParams params) {
  auto& item = params.text_document;
  fs::path path = path_from_uri(item.uri).value_or(fs::path());
  ServerSettings settings = folder_for(path).settings;
  Snapshot document =
      make_snapshot(item.uri, item.version, std::move(item.text), folders_.root_for(path),
                    analysis_.executor(item.uri), &settings);
  {
    std::lock_guard lock(mutex_);
    documents_[document->uri] = document;
  }
  schedule_diagnostics(document->uri);
}

void Session::did_change(lsp::DidChangeTextDocumentParams params) {
  Snapshot before = snapshot(params.text_document.uri);
  if (!before) {
    log(lsp::MessageType::kWarning,
        "didChange for a document that is not open: " + params.text_document.uri);
    return;
  }
  protocol::AppliedChanges applied;
  std::string error;
  if (!protocol::apply_content_changes(before->text, params.content_changes, encoding_, &applied,
                                       &error)) {
    log(lsp::MessageType::kError, "didChange ignored: " + error);
    return;
  }
  ServerSettings settings = folder_for(before->path).settings;
  Snapshot after = edit_snapshot(*before, params.text_document.version, std::move(applied),
                                 analysis_.executor(before->uri), &settings);
  {
    std::lock_guard lock(mutex_);
    documents_[after->uri] = after;
  }
  schedule_diagnostics(after->uri);
}

void Session::did_close(lsp::DidCloseTextDocumentParams params) {
  const std::string& uri = params.text_document.uri;
  Snapshot closed;
  {
    std::lock_guard lock(mutex_);
    if (auto it = documents_.find(uri); it != documents_.end()) {
      closed = std::move(it->second);
      documents_.erase(it);
    }
  }
  debounce_.erase(uri);
  // Freeing a document's tree takes milliseconds on a large file (a node per token): it is done
  // on the document's analysis executor, after what that still has to do, and not on the thread
  // that reads the next message.
  if (closed) analysis_.executor(uri)([closed = std::move(closed)]() mutable { closed.reset(); });
  analysis_.forget(uri);
  dispatcher_.notify("textDocument/publishDiagnostics",
                     lsp::PublishDiagnosticsParams{params.text_document.uri, std::nullopt, {}});
}

void Session::schedule_diagnostics(const std::string& uri) {
  if (options_.debounce_ms <= 0) {
    publish_diagnostics(uri);
    return;
  }
  auto& timer = debounce_[uri];
  if (!timer) timer = std::make_unique<boost::asio::steady_timer>(io_);
  timer->expires_after(std::chrono::milliseconds(options_.debounce_ms));
  timer->async_wait([this, uri](boost::system::error_code ec) {
    if (!ec) publish_diagnostics(uri);
  });
}

void Session::publish_diagnostics(const std::string& uri) {
  Snapshot document = snapshot(uri);
  if (!document) return;
  ServerSettings current = folder_for(document->path).settings;
  DocumentAnalysis::when_analysed(*document, [this, document, current] {
    run_on_pool([this, document, current] {
      guarded("diagnostics", [&] {
        // A newer version on its way publishes its own; never publish a stale one after it.
        auto current_version = [&] {
          Snapshot now = snapshot(document->uri);
          return now && now->version == document->version;
        };
        if (!current_version()) return;
        auto diagnostics = compute_diagnostics(*document, current, encoding_);
        if (!current_version()) return;
        dispatcher_.notify_body(lsp::publish_diagnostics_body(lsp::PublishDiagnosticsParams{
            document->uri, document->version, std::move(diagnostics)}));
      });
    });
  });
}

template <class Result>
void Session::run_request(
    protocol::Reply<Result> reply,
    std::function<void(protocol::Reply<Result>, const std::atomic<bool>&)> work,
    const Snapshot& document) {
  CancellationRegistry::Flag flag = cancellation_.flag(reply.id());
  std::string key = reply.id().dump();
  auto task = [this, key, flag, reply = std::move(reply), work = std::move(work)]() mutable {
    if (*flag) {
      reply.error(ErrorCode::kRequestCancelled, "cancelled");
    } else {
      // An exception must not leave a pool thread: it would end the process. The work's Reply,
      // destroyed on the way out, answers InternalError.
      guarded("request " + key, [&] { work(std::move(reply), *flag); });
    }
  };
  if (!document) {
    run_on_pool(std::move(task));
    return;
  }
  // The task is move-only (its Reply); the executor takes copyable functions.
  auto shared = std::make_shared<decltype(task)>(std::move(task));
  DocumentAnalysis::when_analysed(*document,
                                  [this, shared] { run_on_pool([shared] { (*shared)(); }); });
}

void Session::code_action(lsp::CodeActionParams params,
                          protocol::Reply<std::vector<lsp::CodeAction>> reply) {
  Snapshot document = snapshot(params.text_document.uri);
  if (!document) {
    reply(std::vector<lsp::CodeAction>{});
    return;
  }
  run_request<std::vector<lsp::CodeAction>>(
      std::move(reply),
      [this, document, params = std::move(params)](auto reply, const auto& cancelled) {
        Folder folder = folder_for(document->path);
        const ServerSettings& current = folder.settings;
        std::vector<OfferedAction> offered = code_actions(*document, params, current, encoding_);
        std::vector<lsp::CodeAction> actions;
        for (OfferedAction& one : offered) {
          actions.push_back(std::move(one.action));
          if (resolve_edits_lazily_) continue;
          // Each edit is a unit of work (an instrumentation of the function or file).
          if (cancelled) {
            reply.error(ErrorCode::kRequestCancelled, "cancelled");
            return;
          }
          // Clients without resolve support get the edits now.
          auto resolved = resolve_code_action(actions.back(), one.data, *document, current,
                                              folder.cache.get(), edit_support_, encoding_);
          if (resolved.ok()) actions.back() = std::move(*resolved);
        }
        reply(actions);
      },
      document);
}

void Session::resolve(lsp::ResolveCodeActionParams params, protocol::Reply<lsp::CodeAction> reply) {
  Snapshot document = snapshot(params.data.uri);
  if (!document) {
    reply.error(ErrorCode::kInvalidParams, "the action's document is not open");
    return;
  }
  run_request<lsp::CodeAction>(
      std::move(reply),
      [this, document, params = std::move(params)](auto reply, const auto&) {
        Folder folder = folder_for(document->path);
        auto resolved = resolve_code_action(params.action, params.data, *document, folder.settings,
                                            folder.cache.get(), edit_support_, encoding_);
        if (resolved.ok()) {
          reply(*resolved);
        } else {
          reply.error(ErrorCode::kContentModified, resolved.error());
        }
      },
      document);
}

void Session::hover(lsp::TextDocumentPositionParams params,
                    protocol::Reply<std::optional<lsp::Hover>> reply) {
  Snapshot document = snapshot(params.text_document.uri);
  if (!document) {
    reply(std::nullopt);
    return;
  }
  run_request<std::optional<lsp::Hover>>(
      std::move(reply),
      [this, document, position = params.position](auto reply, const auto&) {
        Folder folder = folder_for(document->path);
        reply(server::hover(*document, position, folder.settings, folder.cache.get(), encoding_));
      },
      document);
}

void Session::will_save_wait_until(lsp::WillSaveTextDocumentParams params,
                                   protocol::Reply<std::vector<lsp::TextEdit>> reply) {
  Snapshot document = snapshot(params.text_document.uri);
  Folder folder = document ? folder_for(document->path) : Folder{};
  const ServerSettings current = folder.settings;
  if (!document || !changes_on_save(*document, current)) {
    reply(std::vector<lsp::TextEdit>{});
    return;
  }
  run_request<std::vector<lsp::TextEdit>>(
      std::move(reply),
      [this, document, current, cache = folder.cache](auto reply, const auto&) {
        SaveEdits save = edits_on_save(*document, current, cache.get(), encoding_);
        if (!save.helper_problem.empty())
          log(lsp::MessageType::kError, "helper module: " + save.helper_problem);
        reply(save.edits);
      },
      document);
}

void Session::apply_edit(lsp::WorkspaceEdit edit, std::string label, protocol::Reply<json> reply) {
  auto shared = std::make_shared<protocol::Reply<json>>(std::move(reply));
  dispatcher_.call(
      "workspace/applyEdit", lsp::ApplyWorkspaceEditParams{std::move(label), std::move(edit)},
      [shared](protocol::Response response) {
        const json& result = response.result;
        bool applied = !response.error && result.is_object() && result.contains("applied") &&
                       result["applied"].is_boolean() && result["applied"].get<bool>();
        (*shared)(json{{"applied", applied}});
      });
}

void Session::with_progress_token(protocol::Reply<json> reply, json client_token,
                                  std::function<void(protocol::Reply<json>, json)> start) {
  auto started = [this, start](protocol::Reply<json> reply, json token) {
    if (!token.is_null()) cancellation_.link_progress(reply.id(), token);
    start(std::move(reply), std::move(token));
  };
  // The client's token (workDoneToken), else one the server creates with
  // window/workDoneProgress/create when the client allows it, else none.
  if (!client_token.is_null() || !work_done_progress_) {
    started(std::move(reply), std::move(client_token));
    return;
  }
  json created = "telinject-workspace-" + std::to_string(++progress_tokens_);
  auto shared = std::make_shared<protocol::Reply<json>>(std::move(reply));
  dispatcher_.call("window/workDoneProgress/create", json{{"token", created}},
                   [shared, created, started](protocol::Response response) {
                     started(std::move(*shared), response.error ? json() : created);
                   });
}

}  // namespace telinject::server
