#include "session.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <set>

#include "atomic_file.h"
#include "client_log.h"
#include "features/code_actions.h"
#include "features/diagnostics.h"
#include "features/hover.h"
#include "features/workspace_instrument.h"
#include "jsonrpc.h"
#include "llm_settings.h"
#include "log.h"
#include "pipeline.h"
#include "scanner.h"
#include "text_document.h"
#include "version.h"

namespace telinject::server {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using protocol::ErrorCode;

const std::vector<std::string> kCommands = {"telinject.instrumentFile",      "telinject.removeFile",
                                            "telinject.instrumentWorkspace", "telinject.clearCache",
                                            "telinject.cacheStats",          kWriteRuntimeCommand};

std::string id_key(const json& id) { return id.dump(); }

}  // namespace

Session::Session(boost::asio::io_context& io, std::function<void(std::string)> send,
                 std::function<void(int)> on_exit, SessionOptions options)
    : io_(io),
      send_(std::move(send)),
      on_exit_(std::move(on_exit)),
      options_(options),
      dispatcher_(send_,
                  [this](std::string_view warning) {
                    log(lsp::MessageType::kWarning, std::string(warning));
                  }),
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
    std::lock_guard lock(mutex_);
    cancelled_[id_key(request->id)] = std::make_shared<std::atomic<bool>>(false);
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
  cancel_all();
  on_exit_(shutting_down_ ? 0 : 1);
}

void Session::cancel_all() {
  // The work in flight stops at its next file (a file being written is finished whole), so
  // `exit` does not wait for a whole workspace run.
  std::lock_guard lock(mutex_);
  for (auto& [key, flag] : cancelled_) *flag = true;
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
    cancel_all();
    on_exit_(shutting_down_ ? 0 : 1);
  });
  d.bind_notification<lsp::CancelParams>("$/cancelRequest", [this](lsp::CancelParams params) {
    std::lock_guard lock(mutex_);
    if (auto it = cancelled_.find(id_key(params.id)); it != cancelled_.end()) *it->second = true;
  });
  d.bind_raw_notification("window/workDoneProgress/cancel", [this](json params) {
    // The progress UI's cancel button: cancel the request that reports on this token.
    if (!params.is_object() || !params.contains("token")) return;
    std::lock_guard lock(mutex_);
    if (auto it = progress_cancel_.find(params["token"].dump()); it != progress_cancel_.end())
      *it->second = true;
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
      "workspace/executeCommand",
      [this](auto params, auto reply) { execute_command(std::move(params), std::move(reply)); });
  d.bind_notification<lsp::DidChangeConfigurationParams>(
      "workspace/didChangeConfiguration", [this](lsp::DidChangeConfigurationParams params) {
        // Push model: the settings come with the notification. Pull model (settings null, or
        // a client that answers workspace/configuration): ask for them, per folder.
        const json& s = params.settings;
        const json& ours = s.is_object() && s.contains("telinject") ? s["telinject"] : s;
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
  if (params.workspace_folders)
    for (const auto& folder : *params.workspace_folders)
      if (auto path = path_from_uri(folder.uri)) roots_.push_back(*path);
  if (roots_.empty() && params.root_uri)
    if (auto path = path_from_uri(*params.root_uri)) roots_.push_back(*path);
  initialized_ = true;
  {
    json options = params.initialization_options.value_or(json::object());
    std::lock_guard lock(mutex_);
    if (options.is_object())
      client_options_ = options.contains("telinject") ? options["telinject"] : options;
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
  c.execute_command_provider = lsp::ExecuteCommandOptions{kCommands};
  c.workspace =
      lsp::WorkspaceServerCapabilities{lsp::WorkspaceFoldersServerCapabilities{true, false}};
  result.server_info = lsp::ServerInfo{"telinject-lsp", std::string(kVersion)};
  reply(result);
}

namespace {

// The client's settings over a folder's project settings.
void overlay(ServerSettings& settings, const json& options, int* debounce_ms, int* log_level) {
  if (!options.is_object()) return;
  auto text = [&](const char* key) -> std::optional<std::string> {
    if (options.contains(key) && options[key].is_string()) return options[key].get<std::string>();
    return std::nullopt;
  };
  if (auto profile = text("profile")) settings.config.profile = *profile;
  if (auto cache_dir = text("cacheDirectory")) settings.config.cache_dir = *cache_dir;
  if (options.contains("diagnostics") && options["diagnostics"].is_boolean())
    settings.diagnostics = options["diagnostics"].get<bool>();
  if (options.contains("onSave") && options["onSave"].is_boolean())
    settings.on_save = options["onSave"].get<bool>();
  if (auto severity = text("severity")) {
    const std::map<std::string, int> names = {
        {"error", 1}, {"warning", 2}, {"information", 3}, {"hint", 4}};
    if (auto it = names.find(*severity); it != names.end()) settings.severity = it->second;
  }
  auto strings = [&](const char* key, std::vector<std::string>* out) {
    if (!options.contains(key) || !options[key].is_array()) return;
    out->clear();
    for (const json& item : options[key])
      if (item.is_string()) out->push_back(item.get<std::string>());
  };
  strings("include", &settings.config.include);
  strings("exclude", &settings.config.exclude);
  for (const std::string& warning : apply_llm_settings(settings.config.llm, options))  // LLM
    logger().warn("{}", warning);
  if (debounce_ms && options.contains("debounceMs") && options["debounceMs"].is_number_unsigned())
    *debounce_ms =
        static_cast<int>(std::min<uint64_t>(options["debounceMs"].get<uint64_t>(), 60'000));
  if (auto level = text("logLevel"); level && log_level) {
    const std::map<std::string, int> names = {
        {"error", 1}, {"warning", 2}, {"info", 3}, {"log", 4}};
    if (auto it = names.find(*level); it != names.end()) *log_level = it->second;
  }
}

}  // namespace

void Session::reload_settings() {
  std::vector<fs::path> keys = roots_;
  keys.push_back(fs::path());  // files outside every folder
  json client;
  std::map<fs::path, json> per_folder;
  std::map<fs::path, Folder> old;
  {
    std::lock_guard lock(mutex_);
    client = client_options_;
    per_folder = folder_options_;
    old = folders_;
  }
  std::map<fs::path, Folder> folders;
  static std::atomic<uint64_t> generations{0};
  uint64_t generation = ++generations;
  int debounce_ms = options_.debounce_ms;
  int log_level = log_level_;
  std::vector<std::string> problems;
  for (const fs::path& key : keys) {
    fs::path project = !key.empty() ? key : !roots_.empty() ? roots_.front() : fs::current_path();
    Folder folder;
    folder.settings.generation = generation;
    auto loaded = load_config(project, std::nullopt, process_environment());
    if (loaded.ok())
      folder.settings.config = std::move(*loaded);
    else
      problems.push_back(project.string() + ": " + loaded.error());
    overlay(folder.settings, client, &debounce_ms, &log_level);
    if (auto it = per_folder.find(key.empty() && !roots_.empty() ? roots_.front() : key);
        it != per_folder.end())
      overlay(folder.settings, it->second, nullptr, nullptr);
    fs::path cache_dir = folder.settings.config.cache_dir;
    if (cache_dir.is_relative()) cache_dir = project / cache_dir;
    // The cache is written only where that creates nothing but the cache folder itself, and
    // only for an existing workspace folder: never a tree of folders under a workspace folder
    // that does not exist (or the server's working directory, when there is no folder).
    std::error_code ec;
    auto inside =
        std::mismatch(project.begin(), project.end(), cache_dir.begin(), cache_dir.end()).first;
    folder.cache_read_only =
        roots_.empty() || !fs::is_directory(project, ec) ||
        (inside != project.end() && !fs::is_directory(cache_dir.parent_path(), ec));
    auto same = [&](const Folder& other) {
      return other.cache && other.cache->directory() == cache_dir &&
             other.cache_read_only == folder.cache_read_only;
    };
    for (const auto& [_, before] : old)
      if (same(before)) folder.cache = before.cache;
    for (const auto& [_, now] : folders)
      if (!folder.cache && same(now)) folder.cache = now.cache;
    if (!folder.cache)
      folder.cache = std::make_shared<ScriptCache>(
          cache_dir, folder.cache_read_only ? ScriptCache::Access::kReadOnly
                                            : ScriptCache::Access::kReadWrite);
    folder.settings.llm = llm_.for_config(folder.settings.config, cache_dir,  // LLM
                                          folder.cache_read_only);
    folders[key] = std::move(folder);
  }
  options_.debounce_ms = debounce_ms;
  log_level_ = log_level;
  {
    std::lock_guard lock(mutex_);
    folders_ = std::move(folders);
  }
  for (const std::string& problem : problems) log(lsp::MessageType::kError, problem);
}

void Session::pull_configuration() {
  if (!configuration_pull_ || roots_.empty()) return;
  json items = json::array();
  for (const fs::path& root : roots_)
    items.push_back({{"scopeUri", uri_from_path(root)}, {"section", "telinject"}});
  dispatcher_.call("workspace/configuration", json{{"items", items}},
                   [this](protocol::Response response) {
                     if (response.error || !response.result.is_array()) return;
                     {
                       std::lock_guard lock(mutex_);
                       for (size_t i = 0; i < roots_.size() && i < response.result.size(); ++i)
                         if (response.result[i].is_object())
                           folder_options_[roots_[i]] = response.result[i];
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
  fs::path root = root_for(path);
  std::lock_guard lock(mutex_);
  auto it = folders_.find(root);
  if (it == folders_.end()) it = folders_.find(fs::path());
  return it == folders_.end() ? Folder{ServerSettings{}, nullptr} : it->second;
}

Session::Snapshot Session::snapshot(const std::string& uri) const {
  std::lock_guard lock(mutex_);
  auto it = documents_.find(uri);
  return it == documents_.end() ? nullptr : it->second;
}

fs::path Session::root_for(const fs::path& path) const {
  fs::path best;
  for (const fs::path& root : roots_) {
    auto [end, _] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
    if (end == root.end() && root.native().size() > best.native().size()) best = root;
  }
  return best;
}

void Session::did_open(lsp::DidOpenTextDocumentParams params) {
  auto& item = params.text_document;
  fs::path path = path_from_uri(item.uri).value_or(fs::path());
  ServerSettings settings = folder_for(path).settings;
  Snapshot document = make_snapshot(item.uri, item.version, std::move(item.text), root_for(path),
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
  {
    std::lock_guard lock(mutex_);
    documents_.erase(params.text_document.uri);
  }
  debounce_.erase(params.text_document.uri);
  analysis_.forget(params.text_document.uri);
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
void Session::run_cancellable(
    protocol::Reply<Result> reply,
    std::function<void(protocol::Reply<Result>, const std::atomic<bool>&)> work,
    const Snapshot& document) {
  std::shared_ptr<std::atomic<bool>> flag;
  std::string key = id_key(reply.id());
  {
    std::lock_guard lock(mutex_);
    auto it = cancelled_.find(key);
    flag = it != cancelled_.end() ? it->second : std::make_shared<std::atomic<bool>>(false);
  }
  auto task = [this, key, flag, reply = std::move(reply), work = std::move(work)]() mutable {
    if (*flag) {
      reply.error(ErrorCode::kRequestCancelled, "cancelled");
    } else {
      // An exception must not leave a pool thread: it would end the process. The work's Reply,
      // destroyed on the way out, answers InternalError.
      guarded("request " + key, [&] { work(std::move(reply), *flag); });
    }
    std::lock_guard lock(mutex_);
    cancelled_.erase(key);
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
  run_cancellable<std::vector<lsp::CodeAction>>(
      std::move(reply),
      [this, document, params = std::move(params)](auto reply, const auto&) {
        Folder folder = folder_for(document->path);
        const ServerSettings& current = folder.settings;
        std::vector<OfferedAction> offered = code_actions(*document, params, current, encoding_);
        std::vector<lsp::CodeAction> actions;
        for (OfferedAction& one : offered) {
          actions.push_back(std::move(one.action));
          if (resolve_edits_lazily_) continue;
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
  run_cancellable<lsp::CodeAction>(
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
  run_cancellable<std::optional<lsp::Hover>>(
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
  if (!document || !current.on_save || (!document->language && !current.llm)) {  // LLM
    reply(std::vector<lsp::TextEdit>{});
    return;
  }
  run_cancellable<std::vector<lsp::TextEdit>>(
      std::move(reply),
      [this, document, current, cache = folder.cache](auto reply, const auto&) {
        TextResult result =
            transform_document(*document, Action::kInstrument, nullptr, current, cache.get());
        std::vector<lsp::TextEdit> edits;
        if (result.output != document->text) {
          edits = minimal_edits(*document, result.output, encoding_);
          // A save cannot carry a file creation: write the helper module itself when missing.
          auto written = write_missing_helpers(*document, current);
          if (!written.ok()) log(lsp::MessageType::kError, "helper module: " + written.error());
        }
        reply(edits);
      },
      document);
}

void Session::execute_command(lsp::ExecuteCommandParams params, protocol::Reply<json> reply) {
  const std::string& command = params.command;
  std::vector<json> arguments = params.arguments.value_or(std::vector<json>{});
  // The folder a command is about: the one holding its first argument (a document or folder
  // URI) when given, else the first workspace folder.
  std::optional<fs::path> argument_path;
  if (!arguments.empty() && arguments[0].is_string())
    argument_path = path_from_uri(arguments[0].get<std::string>());
  Folder folder = folder_for(argument_path    ? *argument_path
                             : roots_.empty() ? fs::path()
                                              : roots_.front());
  std::shared_ptr<ScriptCache> cache = folder.cache;
  if (!cache && (command == "telinject.clearCache" || command == "telinject.cacheStats")) {
    reply.error(ErrorCode::kRequestFailed, "no script cache is configured");
    return;
  }
  // Scripts are written behind (ScriptCache's writer thread): what this session computed is on
  // disk before it is counted or cleared.
  if (cache) (void)cache->wait_for_writes();
  if (command == "telinject.clearCache") {
    auto cleared = cache->clear();
    if (cleared.ok())
      reply(json{{"cleared", true}});
    else
      reply.error(ErrorCode::kRequestFailed, cleared.error());
    return;
  }
  if (command == "telinject.cacheStats") {
    auto stats = cache->stats();
    if (!stats.ok()) {
      reply.error(ErrorCode::kRequestFailed, stats.error());
      return;
    }
    json out = cache_stats_json(cache->directory(), *stats);
    out["llm"] = llm_.usage();  // LLM: calls and cost since the server started
    reply(out);
    return;
  }
  ApplyEdit apply = [this](lsp::WorkspaceEdit edit, std::string label,
                           protocol::Reply<json> reply) {
    auto shared = std::make_shared<protocol::Reply<json>>(std::move(reply));
    dispatcher_.call(
        "workspace/applyEdit", lsp::ApplyWorkspaceEditParams{std::move(label), std::move(edit)},
        [shared](protocol::Response response) {
          const json& result = response.result;
          bool applied = !response.error && result.is_object() && result.contains("applied") &&
                         result["applied"].is_boolean() && result["applied"].get<bool>();
          (*shared)(json{{"applied", applied}});
        });
  };
  if (command == kWriteRuntimeCommand) {
    std::string uri =
        !arguments.empty() && arguments[0].is_string() ? arguments[0].get<std::string>() : "";
    Snapshot document = snapshot(uri);
    if (!document) {
      reply.error(ErrorCode::kInvalidParams, "argument 1 must be the URI of an open document");
      return;
    }
    auto written = write_missing_helpers(*document, folder_for(document->path).settings);
    if (!written.ok()) {
      reply.error(ErrorCode::kRequestFailed, written.error());
      return;
    }
    json paths = json::array();
    for (const auto& path : *written) paths.push_back(path.string());
    reply(json{{"written", paths}});
    return;
  }
  if (command == "telinject.instrumentFile" || command == "telinject.removeFile") {
    std::string uri =
        !arguments.empty() && arguments[0].is_string() ? arguments[0].get<std::string>() : "";
    Snapshot document = snapshot(uri);
    if (!document) {
      reply.error(ErrorCode::kInvalidParams, "argument 1 must be the URI of an open document");
      return;
    }
    Action action = command == "telinject.instrumentFile" ? Action::kInstrument : Action::kRemove;
    run_cancellable<json>(
        std::move(reply),
        [this, document, action, apply](auto reply, const auto&) {
          Folder folder = folder_for(document->path);
          const ServerSettings& current = folder.settings;
          const auto& cache = folder.cache;
          TextResult result = transform_document(*document, action, nullptr, current, cache.get());
          if (result.outcome.status == FileOutcome::Status::kError) {
            reply.error(ErrorCode::kRequestFailed, result.outcome.message);
            return;
          }
          if (action == Action::kInstrument && result.output != document->text &&
              !(edit_support_.document_changes && edit_support_.create_files)) {
            auto written = write_missing_helpers(*document, current);
            if (!written.ok()) {
              reply.error(ErrorCode::kRequestFailed, written.error());
              return;
            }
          }
          apply(workspace_edit(*document, result.output, action, current, edit_support_, encoding_),
                action == Action::kInstrument ? "Instrument file" : "Remove telemetry",
                std::move(reply));
        },
        document);
    return;
  }
  if (command == "telinject.instrumentWorkspace") {
    // Work-done progress on a token: the client's (workDoneToken), else one the server creates
    // with window/workDoneProgress/create when the client allows it, else none.
    json token = params.work_done_token.value_or(json());
    auto start = [this, apply, token](protocol::Reply<json> reply) {
      instrument_workspace(std::move(reply), token, apply);
    };
    if (token.is_null() && work_done_progress_) {
      json created = "telinject-workspace-" + std::to_string(++progress_tokens_);
      auto shared = std::make_shared<protocol::Reply<json>>(std::move(reply));
      dispatcher_.call("window/workDoneProgress/create", json{{"token", created}},
                       [this, shared, created, apply](protocol::Response response) {
                         instrument_workspace(std::move(*shared), response.error ? json() : created,
                                              apply);
                       });
      return;
    }
    start(std::move(reply));
    return;
  }
  reply.error(ErrorCode::kInvalidParams, "unknown command " + command);
}

void Session::instrument_workspace(protocol::Reply<json> reply, json token, ApplyEdit apply) {
  if (!token.is_null()) {
    std::lock_guard lock(mutex_);
    if (auto it = cancelled_.find(id_key(reply.id())); it != cancelled_.end())
      progress_cancel_[token.dump()] = it->second;
  }
  run_cancellable<json>(
      std::move(reply), [this, token, apply](auto reply, const std::atomic<bool>& cancelled) {
        struct Forget {  // the token means nothing once the work is over
          Session* session;
          std::string key;
          ~Forget() {
            std::lock_guard lock(session->mutex_);
            session->progress_cancel_.erase(key);
          }
        } forget{this, token.dump()};
        auto progress = [&](json value) {
          if (!token.is_null())
            dispatcher_.notify("$/progress", lsp::ProgressParams{token, std::move(value)});
        };
        progress(json{{"kind", "begin"},
                      {"title", "Instrumenting the workspace"},
                      {"cancellable", true},
                      {"percentage", 0}});
        // Each folder with its own settings (filters, profile, cache).
        std::vector<Folder> kept;  // owns the caches while the run uses them
        std::vector<WorkspaceFolderRun> folders;
        for (const fs::path& root : roots_) {
          kept.push_back(folder_for(root));
          folders.push_back({root, kept.back().settings, kept.back().cache.get()});
        }
        WorkspaceInstrumentResult result = server::instrument_workspace(
            folders, [this](const std::string& uri) { return snapshot(uri); }, edit_support_,
            encoding_, cancelled,
            [&](int percentage, const std::string& message) {
              progress(json{{"kind", "report"}, {"message", message}, {"percentage", percentage}});
            });
        for (const std::string& problem : result.problems) log(lsp::MessageType::kWarning, problem);
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
        apply(std::move(result.edit), "Instrument workspace", std::move(reply));
      });
}

}  // namespace telinject::server
