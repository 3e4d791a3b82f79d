#include "lsp_workspace.h"

#include <stdexcept>

#include "json_fields.h"

namespace telinject::lsp {

using nlohmann::json;

void to_json(json& j, const WorkspaceFolder& value) {
  j = {{"uri", value.uri}, {"name", value.name}};
}
void from_json(const json& j, WorkspaceFolder& value) {
  fields::required(j, "uri", value.uri);
  fields::required(j, "name", value.name);
}

void to_json(json& j, const CreateFileOptions& value) {
  j = json::object();
  fields::write(j, "overwrite", value.overwrite);
  fields::write(j, "ignoreIfExists", value.ignore_if_exists);
}
void from_json(const json& j, CreateFileOptions& value) {
  fields::optional(j, "overwrite", value.overwrite);
  fields::optional(j, "ignoreIfExists", value.ignore_if_exists);
}

void to_json(json& j, const CreateFile& value) {
  j = {{"kind", "create"}, {"uri", value.uri}};
  fields::write(j, "options", value.options);
}
void from_json(const json& j, CreateFile& value) {
  fields::required(j, "uri", value.uri);
  fields::optional(j, "options", value.options);
}

void to_json(json& j, const TextDocumentEdit& value) {
  j = {{"textDocument", value.text_document}, {"edits", value.edits}};
}
void from_json(const json& j, TextDocumentEdit& value) {
  fields::required(j, "textDocument", value.text_document);
  fields::required(j, "edits", value.edits);
}

void to_json(json& j, const WorkspaceEdit& value) {
  j = json::object();
  fields::write(j, "changes", value.changes);
  if (value.document_changes) {
    json& changes = j["documentChanges"] = json::array();
    for (const DocumentChange& change : *value.document_changes)
      std::visit([&](const auto& alternative) { changes.push_back(alternative); }, change);
  }
}
void from_json(const json& j, WorkspaceEdit& value) {
  fields::optional(j, "changes", value.changes);
  value.document_changes.reset();
  auto it = j.find("documentChanges");
  if (it == j.end() || it->is_null()) return;
  if (!it->is_array()) throw std::invalid_argument("documentChanges must be an array");
  value.document_changes.emplace();
  for (const json& change : *it) {
    auto kind = change.find("kind");
    if (kind == change.end()) {
      value.document_changes->push_back(change.get<TextDocumentEdit>());
    } else if (*kind == "create") {
      value.document_changes->push_back(change.get<CreateFile>());
    } else {
      throw std::invalid_argument("unsupported resource operation kind " + kind->dump());
    }
  }
}

void to_json(json& j, const ExecuteCommandParams& value) {
  j = {{"command", value.command}};
  fields::write(j, "arguments", value.arguments);
  fields::write(j, "workDoneToken", value.work_done_token);
}
void from_json(const json& j, ExecuteCommandParams& value) {
  fields::required(j, "command", value.command);
  fields::optional(j, "arguments", value.arguments);
  fields::optional(j, "workDoneToken", value.work_done_token);
}

void to_json(json& j, const ConfigurationItem& value) {
  j = json::object();
  fields::write(j, "scopeUri", value.scope_uri);
  fields::write(j, "section", value.section);
}
void from_json(const json& j, ConfigurationItem& value) {
  fields::optional(j, "scopeUri", value.scope_uri);
  fields::optional(j, "section", value.section);
}

void to_json(json& j, const ConfigurationParams& value) { j = {{"items", value.items}}; }
void from_json(const json& j, ConfigurationParams& value) {
  fields::required(j, "items", value.items);
}

void to_json(json& j, const DidChangeConfigurationParams& value) {
  j = {{"settings", value.settings}};
}
void from_json(const json& j, DidChangeConfigurationParams& value) {
  value.settings = nullptr;
  fields::optional(j, "settings", value.settings);
}

void to_json(json& j, const FileEvent& value) { j = {{"uri", value.uri}, {"type", value.type}}; }
void from_json(const json& j, FileEvent& value) {
  fields::required(j, "uri", value.uri);
  fields::required(j, "type", value.type);
}

void to_json(json& j, const DidChangeWatchedFilesParams& value) {
  j = {{"changes", value.changes}};
}
void from_json(const json& j, DidChangeWatchedFilesParams& value) {
  fields::required(j, "changes", value.changes);
}

void to_json(json& j, const ApplyWorkspaceEditParams& value) {
  j = {{"edit", value.edit}};
  fields::write(j, "label", value.label);
}
void from_json(const json& j, ApplyWorkspaceEditParams& value) {
  fields::required(j, "edit", value.edit);
  fields::optional(j, "label", value.label);
}

void to_json(json& j, const ApplyWorkspaceEditResult& value) {
  j = {{"applied", value.applied}};
  fields::write(j, "failureReason", value.failure_reason);
  fields::write(j, "failedChange", value.failed_change);
}
void from_json(const json& j, ApplyWorkspaceEditResult& value) {
  fields::required(j, "applied", value.applied);
  fields::optional(j, "failureReason", value.failure_reason);
  fields::optional(j, "failedChange", value.failed_change);
}

}  // namespace telinject::lsp
