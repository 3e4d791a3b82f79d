#include "lsp_lifecycle.h"

#include <algorithm>
#include <initializer_list>
#include <stdexcept>

#include "json_fields.h"

namespace telinject::lsp {

using nlohmann::json;

namespace {

// The value at `path` below `root`, or nullptr when a step is missing or not an object.
const json* find_path(const json& root, std::initializer_list<const char*> path) {
  const json* node = &root;
  for (const char* key : path) {
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

bool flag(const json& root, std::initializer_list<const char*> path) {
  const json* value = find_path(root, path);
  return value != nullptr && value->is_boolean() && value->get<bool>();
}

// The strings of the array at `path`; other elements are skipped.
std::vector<std::string> strings(const json& root, std::initializer_list<const char*> path) {
  std::vector<std::string> result;
  const json* value = find_path(root, path);
  if (value == nullptr || !value->is_array()) return result;
  for (const json& element : *value)
    if (element.is_string()) result.push_back(element.get<std::string>());
  return result;
}

// Progress values carry their kind; reading one of another kind is a caller's mistake.
void expect_kind(const json& j, const char* kind) {
  auto it = j.find("kind");
  if (it != j.end() && *it != kind)
    throw std::invalid_argument(std::string("expected progress kind \"") + kind + "\", got " +
                                it->dump());
}

}  // namespace

std::vector<std::string> ClientCapabilities::position_encodings() const {
  return strings(raw, {"general", "positionEncodings"});
}
std::vector<std::string> ClientCapabilities::code_action_resolve_properties() const {
  return strings(raw, {"textDocument", "codeAction", "resolveSupport", "properties"});
}
bool ClientCapabilities::code_action_literal_support() const {
  const json* value = find_path(raw, {"textDocument", "codeAction", "codeActionLiteralSupport"});
  return value != nullptr && value->is_object();
}
bool ClientCapabilities::work_done_progress() const {
  return flag(raw, {"window", "workDoneProgress"});
}
bool ClientCapabilities::workspace_configuration() const {
  return flag(raw, {"workspace", "configuration"});
}
bool ClientCapabilities::watched_files_dynamic_registration() const {
  return flag(raw, {"workspace", "didChangeWatchedFiles", "dynamicRegistration"});
}
bool ClientCapabilities::workspace_apply_edit() const {
  return flag(raw, {"workspace", "applyEdit"});
}
bool ClientCapabilities::workspace_edit_document_changes() const {
  return flag(raw, {"workspace", "workspaceEdit", "documentChanges"});
}
bool ClientCapabilities::workspace_edit_resource_operation(std::string_view operation) const {
  auto operations = strings(raw, {"workspace", "workspaceEdit", "resourceOperations"});
  return std::find(operations.begin(), operations.end(), operation) != operations.end();
}

void to_json(json& j, const ClientInfo& value) {
  j = {{"name", value.name}};
  fields::write(j, "version", value.version);
}
void from_json(const json& j, ClientInfo& value) {
  fields::required(j, "name", value.name);
  fields::optional(j, "version", value.version);
}

void to_json(json& j, const InitializeParams& value) {
  j = {{"processId", nullptr}, {"rootUri", nullptr}, {"capabilities", value.capabilities.raw}};
  if (value.process_id) j["processId"] = *value.process_id;
  if (value.root_uri) j["rootUri"] = *value.root_uri;
  fields::write(j, "workspaceFolders", value.workspace_folders);
  fields::write(j, "initializationOptions", value.initialization_options);
  fields::write(j, "clientInfo", value.client_info);
  fields::write(j, "trace", value.trace);
}
void from_json(const json& j, InitializeParams& value) {
  fields::optional(j, "processId", value.process_id);
  fields::optional(j, "rootUri", value.root_uri);
  fields::optional(j, "workspaceFolders", value.workspace_folders);
  fields::optional(j, "initializationOptions", value.initialization_options);
  value.capabilities.raw = json::object();
  fields::optional(j, "capabilities", value.capabilities.raw);
  fields::optional(j, "clientInfo", value.client_info);
  fields::optional(j, "trace", value.trace);
}

void to_json(json& j, const SaveOptions& value) {
  j = json::object();
  fields::write(j, "includeText", value.include_text);
}
void from_json(const json& j, SaveOptions& value) {
  fields::optional(j, "includeText", value.include_text);
}

void to_json(json& j, const TextDocumentSyncOptions& value) {
  j = json::object();
  fields::write(j, "openClose", value.open_close);
  fields::write(j, "change", value.change);
  fields::write(j, "willSave", value.will_save);
  fields::write(j, "willSaveWaitUntil", value.will_save_wait_until);
  fields::write(j, "save", value.save);
}
void from_json(const json& j, TextDocumentSyncOptions& value) {
  value = {};
  if (j.is_number()) {
    value.change = j.get<TextDocumentSyncKind>();
    return;
  }
  fields::optional(j, "openClose", value.open_close);
  fields::optional(j, "change", value.change);
  fields::optional(j, "willSave", value.will_save);
  fields::optional(j, "willSaveWaitUntil", value.will_save_wait_until);
  auto save = j.find("save");
  if (save != j.end() && save->is_boolean()) {
    if (save->get<bool>()) value.save.emplace();
  } else {
    fields::optional(j, "save", value.save);
  }
}

void to_json(json& j, const CodeActionOptions& value) {
  j = json::object();
  fields::write(j, "codeActionKinds", value.code_action_kinds);
  fields::write(j, "resolveProvider", value.resolve_provider);
}
void from_json(const json& j, CodeActionOptions& value) {
  fields::optional(j, "codeActionKinds", value.code_action_kinds);
  fields::optional(j, "resolveProvider", value.resolve_provider);
}

void to_json(json& j, const ExecuteCommandOptions& value) { j = {{"commands", value.commands}}; }
void from_json(const json& j, ExecuteCommandOptions& value) {
  fields::required(j, "commands", value.commands);
}

void to_json(json& j, const WorkspaceFoldersServerCapabilities& value) {
  j = json::object();
  fields::write(j, "supported", value.supported);
  fields::write(j, "changeNotifications", value.change_notifications);
}
void from_json(const json& j, WorkspaceFoldersServerCapabilities& value) {
  fields::optional(j, "supported", value.supported);
  // The spec also allows a registration id string here; any string means "notify me".
  auto it = j.find("changeNotifications");
  if (it != j.end() && it->is_string())
    value.change_notifications = true;
  else
    fields::optional(j, "changeNotifications", value.change_notifications);
}

void to_json(json& j, const WorkspaceServerCapabilities& value) {
  j = json::object();
  fields::write(j, "workspaceFolders", value.workspace_folders);
}
void from_json(const json& j, WorkspaceServerCapabilities& value) {
  fields::optional(j, "workspaceFolders", value.workspace_folders);
}

void to_json(json& j, const ServerCapabilities& value) {
  j = json::object();
  fields::write(j, "positionEncoding", value.position_encoding);
  fields::write(j, "textDocumentSync", value.text_document_sync);
  fields::write(j, "hoverProvider", value.hover_provider);
  fields::write(j, "codeActionProvider", value.code_action_provider);
  fields::write(j, "executeCommandProvider", value.execute_command_provider);
  fields::write(j, "workspace", value.workspace);
}
void from_json(const json& j, ServerCapabilities& value) {
  fields::optional(j, "positionEncoding", value.position_encoding);
  fields::optional(j, "textDocumentSync", value.text_document_sync);
  value.hover_provider.reset();
  if (auto hover = j.find("hoverProvider"); hover != j.end() && !hover->is_null())
    value.hover_provider = hover->is_object() || (hover->is_boolean() && hover->get<bool>());
  value.code_action_provider.reset();
  if (auto actions = j.find("codeActionProvider"); actions != j.end()) {
    if (actions->is_object())
      value.code_action_provider = actions->get<CodeActionOptions>();
    else if (actions->is_boolean() && actions->get<bool>())
      value.code_action_provider.emplace();
  }
  fields::optional(j, "executeCommandProvider", value.execute_command_provider);
  fields::optional(j, "workspace", value.workspace);
}

void to_json(json& j, const ServerInfo& value) {
  j = {{"name", value.name}};
  fields::write(j, "version", value.version);
}
void from_json(const json& j, ServerInfo& value) {
  fields::required(j, "name", value.name);
  fields::optional(j, "version", value.version);
}

void to_json(json& j, const InitializeResult& value) {
  j = {{"capabilities", value.capabilities}};
  fields::write(j, "serverInfo", value.server_info);
}
void from_json(const json& j, InitializeResult& value) {
  fields::required(j, "capabilities", value.capabilities);
  fields::optional(j, "serverInfo", value.server_info);
}

void to_json(json& j, const WorkDoneProgressCreateParams& value) { j = {{"token", value.token}}; }
void from_json(const json& j, WorkDoneProgressCreateParams& value) {
  fields::required(j, "token", value.token);
}

void to_json(json& j, const WorkDoneProgressBegin& value) {
  j = {{"kind", "begin"}, {"title", value.title}};
  fields::write(j, "cancellable", value.cancellable);
  fields::write(j, "message", value.message);
  fields::write(j, "percentage", value.percentage);
}
void from_json(const json& j, WorkDoneProgressBegin& value) {
  expect_kind(j, "begin");
  fields::required(j, "title", value.title);
  fields::optional(j, "cancellable", value.cancellable);
  fields::optional(j, "message", value.message);
  fields::optional(j, "percentage", value.percentage);
}

void to_json(json& j, const WorkDoneProgressReport& value) {
  j = {{"kind", "report"}};
  fields::write(j, "cancellable", value.cancellable);
  fields::write(j, "message", value.message);
  fields::write(j, "percentage", value.percentage);
}
void from_json(const json& j, WorkDoneProgressReport& value) {
  expect_kind(j, "report");
  fields::optional(j, "cancellable", value.cancellable);
  fields::optional(j, "message", value.message);
  fields::optional(j, "percentage", value.percentage);
}

void to_json(json& j, const WorkDoneProgressEnd& value) {
  j = {{"kind", "end"}};
  fields::write(j, "message", value.message);
}
void from_json(const json& j, WorkDoneProgressEnd& value) {
  expect_kind(j, "end");
  fields::optional(j, "message", value.message);
}

void to_json(json& j, const ProgressParams& value) {
  j = {{"token", value.token}, {"value", value.value}};
}
void from_json(const json& j, ProgressParams& value) {
  fields::required(j, "token", value.token);
  fields::required(j, "value", value.value);
}

void to_json(json& j, const CancelParams& value) { j = {{"id", value.id}}; }
void from_json(const json& j, CancelParams& value) { fields::required(j, "id", value.id); }

void to_json(json& j, const SetTraceParams& value) { j = {{"value", value.value}}; }
void from_json(const json& j, SetTraceParams& value) { fields::required(j, "value", value.value); }

void to_json(json& j, const LogMessageParams& value) {
  j = {{"type", value.type}, {"message", value.message}};
}
void from_json(const json& j, LogMessageParams& value) {
  fields::required(j, "type", value.type);
  fields::required(j, "message", value.message);
}

void to_json(json& j, const ShowMessageParams& value) {
  j = {{"type", value.type}, {"message", value.message}};
}
void from_json(const json& j, ShowMessageParams& value) {
  fields::required(j, "type", value.type);
  fields::required(j, "message", value.message);
}

}  // namespace telinject::lsp
