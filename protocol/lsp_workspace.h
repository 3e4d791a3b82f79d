// LSP workspace messages: workspace edits (text edits and file creation), commands,
// configuration, watched files and workspace/applyEdit. Conventions as in lsp_types.h.
#pragma once

#include <map>
#include <variant>

#include "lsp_types.h"

namespace telinject::lsp {

struct WorkspaceFolder {
  std::string uri;
  std::string name;
};

struct CreateFileOptions {
  std::optional<bool> overwrite;
  std::optional<bool> ignore_if_exists;
};

/// The "create" resource operation; written with "kind": "create".
struct CreateFile {
  std::string uri;
  std::optional<CreateFileOptions> options;
};

/// Edits to one version of one document.
struct TextDocumentEdit {
  OptionalVersionedTextDocumentIdentifier text_document;
  std::vector<TextEdit> edits;
};

/// One entry of WorkspaceEdit::document_changes. Rename and delete operations are not
/// supported: from_json throws std::invalid_argument on them.
using DocumentChange = std::variant<TextDocumentEdit, CreateFile>;

/// Changes to many documents. Clients that announce `workspace.workspaceEdit.documentChanges`
/// take `document_changes` (applied in order); the others only `changes`.
struct WorkspaceEdit {
  std::optional<std::map<std::string, std::vector<TextEdit>>> changes;  // uri -> edits
  std::optional<std::vector<DocumentChange>> document_changes;
};

struct ExecuteCommandParams {
  std::string command;
  std::optional<std::vector<nlohmann::json>> arguments;
  std::optional<nlohmann::json> work_done_token;  // workDoneToken: a string or an integer
};

struct ConfigurationItem {
  std::optional<std::string> scope_uri;
  std::optional<std::string> section;
};

/// Params of the server-to-client request workspace/configuration; the result is one JSON
/// value per item.
struct ConfigurationParams {
  std::vector<ConfigurationItem> items;
};

struct DidChangeConfigurationParams {
  nlohmann::json settings;  // open-ended, null when absent
};

enum class FileChangeType { kCreated = 1, kChanged = 2, kDeleted = 3 };

struct FileEvent {
  std::string uri;
  FileChangeType type = FileChangeType::kChanged;
};

struct DidChangeWatchedFilesParams {
  std::vector<FileEvent> changes;
};

/// Params of the server-to-client request workspace/applyEdit.
struct ApplyWorkspaceEditParams {
  std::optional<std::string> label;
  WorkspaceEdit edit;
};

struct ApplyWorkspaceEditResult {
  bool applied = false;
  std::optional<std::string> failure_reason;
  std::optional<int> failed_change;
};

void to_json(nlohmann::json& json, const WorkspaceFolder& value);
void from_json(const nlohmann::json& json, WorkspaceFolder& value);
void to_json(nlohmann::json& json, const CreateFileOptions& value);
void from_json(const nlohmann::json& json, CreateFileOptions& value);
void to_json(nlohmann::json& json, const CreateFile& value);
void from_json(const nlohmann::json& json, CreateFile& value);
void to_json(nlohmann::json& json, const TextDocumentEdit& value);
void from_json(const nlohmann::json& json, TextDocumentEdit& value);
void to_json(nlohmann::json& json, const WorkspaceEdit& value);
void from_json(const nlohmann::json& json, WorkspaceEdit& value);
void to_json(nlohmann::json& json, const ExecuteCommandParams& value);
void from_json(const nlohmann::json& json, ExecuteCommandParams& value);
void to_json(nlohmann::json& json, const ConfigurationItem& value);
void from_json(const nlohmann::json& json, ConfigurationItem& value);
void to_json(nlohmann::json& json, const ConfigurationParams& value);
void from_json(const nlohmann::json& json, ConfigurationParams& value);
void to_json(nlohmann::json& json, const DidChangeConfigurationParams& value);
void from_json(const nlohmann::json& json, DidChangeConfigurationParams& value);
void to_json(nlohmann::json& json, const FileEvent& value);
void from_json(const nlohmann::json& json, FileEvent& value);
void to_json(nlohmann::json& json, const DidChangeWatchedFilesParams& value);
void from_json(const nlohmann::json& json, DidChangeWatchedFilesParams& value);
void to_json(nlohmann::json& json, const ApplyWorkspaceEditParams& value);
void from_json(const nlohmann::json& json, ApplyWorkspaceEditParams& value);
void to_json(nlohmann::json& json, const ApplyWorkspaceEditResult& value);
void from_json(const nlohmann::json& json, ApplyWorkspaceEditResult& value);

}  // namespace telinject::lsp
