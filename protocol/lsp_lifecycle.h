// LSP lifecycle and window messages: initialize (client and server capabilities), progress,
// cancellation, trace, log and show message. Conventions as in lsp_types.h.
#pragma once

#include <string_view>

#include "lsp_types.h"
#include "lsp_workspace.h"

namespace telinject::lsp {

/// The client's capabilities, kept whole as JSON (they are large and open-ended) with accessors
/// for the few the server acts on. Accessors never throw: a missing or mistyped entry reads as
/// absent (false or empty).
struct ClientCapabilities {
  nlohmann::json raw = nlohmann::json::object();

  /// general.positionEncodings, in the client's order of preference.
  std::vector<std::string> position_encodings() const;
  /// textDocument.codeAction.resolveSupport.properties: what codeAction/resolve may fill in.
  std::vector<std::string> code_action_resolve_properties() const;
  /// textDocument.codeAction.codeActionLiteralSupport is present: the client takes CodeAction
  /// literals, not only Commands.
  bool code_action_literal_support() const;
  /// window.workDoneProgress: the server may create progress tokens.
  bool work_done_progress() const;
  /// workspace.configuration: the server may send workspace/configuration.
  bool workspace_configuration() const;
  /// workspace.didChangeWatchedFiles.dynamicRegistration: the server may register file
  /// watchers with client/registerCapability.
  bool watched_files_dynamic_registration() const;
  /// workspace.applyEdit: the server may send workspace/applyEdit.
  bool workspace_apply_edit() const;
  /// workspace.workspaceEdit.documentChanges: WorkspaceEdit::document_changes is understood.
  bool workspace_edit_document_changes() const;
  /// workspace.workspaceEdit.resourceOperations contains `operation` ("create", ...).
  bool workspace_edit_resource_operation(std::string_view operation) const;
};

struct ClientInfo {
  std::string name;
  std::optional<std::string> version;
};

/// Params of initialize. Every field may be absent on input; `process_id` and `root_uri` are
/// written as JSON null when unset (the spec requires the keys).
struct InitializeParams {
  std::optional<int> process_id;
  std::optional<std::string> root_uri;
  std::optional<std::vector<WorkspaceFolder>> workspace_folders;
  std::optional<nlohmann::json> initialization_options;
  ClientCapabilities capabilities;
  std::optional<ClientInfo> client_info;
  std::optional<std::string> trace;  // "off", "messages" or "verbose"
};

enum class TextDocumentSyncKind { kNone = 0, kFull = 1, kIncremental = 2 };

struct SaveOptions {
  std::optional<bool> include_text;
};

/// On input the number form (a TextDocumentSyncKind) and boolean `save` are accepted too.
struct TextDocumentSyncOptions {
  std::optional<bool> open_close;
  std::optional<TextDocumentSyncKind> change;
  std::optional<bool> will_save;
  std::optional<bool> will_save_wait_until;
  std::optional<SaveOptions> save;
};

struct CodeActionOptions {
  std::optional<std::vector<std::string>> code_action_kinds;
  std::optional<bool> resolve_provider;
};

struct ExecuteCommandOptions {
  std::vector<std::string> commands;
};

struct WorkspaceFoldersServerCapabilities {
  std::optional<bool> supported;
  std::optional<bool> change_notifications;
};

struct WorkspaceServerCapabilities {
  std::optional<WorkspaceFoldersServerCapabilities> workspace_folders;
};

/// What the server offers. On input, `hoverProvider` objects read as true and a boolean
/// `codeActionProvider` as empty options (true) or absent (false).
struct ServerCapabilities {
  std::optional<std::string> position_encoding;  // "utf-8", "utf-16" or "utf-32"
  std::optional<TextDocumentSyncOptions> text_document_sync;
  std::optional<bool> hover_provider;
  std::optional<CodeActionOptions> code_action_provider;
  std::optional<ExecuteCommandOptions> execute_command_provider;
  std::optional<WorkspaceServerCapabilities> workspace;
};

struct ServerInfo {
  std::string name;
  std::optional<std::string> version;
};

struct InitializeResult {
  ServerCapabilities capabilities;
  std::optional<ServerInfo> server_info;
};

/// Params of window/workDoneProgress/create.
struct WorkDoneProgressCreateParams {
  nlohmann::json token;  // an integer or a string
};

/// Progress values, written with their "kind"; from_json rejects another kind with
/// std::invalid_argument.
struct WorkDoneProgressBegin {
  std::string title;
  std::optional<bool> cancellable;
  std::optional<std::string> message;
  std::optional<int> percentage;  // 0 to 100
};

struct WorkDoneProgressReport {
  std::optional<bool> cancellable;
  std::optional<std::string> message;
  std::optional<int> percentage;
};

struct WorkDoneProgressEnd {
  std::optional<std::string> message;
};

/// Params of $/progress: `value` is one of the WorkDoneProgress values as JSON.
struct ProgressParams {
  nlohmann::json token;
  nlohmann::json value;
};

/// Params of $/cancelRequest.
struct CancelParams {
  nlohmann::json id;  // an integer or a string
};

struct SetTraceParams {
  std::string value;  // "off", "messages" or "verbose"
};

enum class MessageType { kError = 1, kWarning = 2, kInfo = 3, kLog = 4, kDebug = 5 };

struct LogMessageParams {
  MessageType type = MessageType::kLog;
  std::string message;
};

struct ShowMessageParams {
  MessageType type = MessageType::kInfo;
  std::string message;
};

void to_json(nlohmann::json& json, const ClientInfo& value);
void from_json(const nlohmann::json& json, ClientInfo& value);
void to_json(nlohmann::json& json, const InitializeParams& value);
void from_json(const nlohmann::json& json, InitializeParams& value);
void to_json(nlohmann::json& json, const SaveOptions& value);
void from_json(const nlohmann::json& json, SaveOptions& value);
void to_json(nlohmann::json& json, const TextDocumentSyncOptions& value);
void from_json(const nlohmann::json& json, TextDocumentSyncOptions& value);
void to_json(nlohmann::json& json, const CodeActionOptions& value);
void from_json(const nlohmann::json& json, CodeActionOptions& value);
void to_json(nlohmann::json& json, const ExecuteCommandOptions& value);
void from_json(const nlohmann::json& json, ExecuteCommandOptions& value);
void to_json(nlohmann::json& json, const WorkspaceFoldersServerCapabilities& value);
void from_json(const nlohmann::json& json, WorkspaceFoldersServerCapabilities& value);
void to_json(nlohmann::json& json, const WorkspaceServerCapabilities& value);
void from_json(const nlohmann::json& json, WorkspaceServerCapabilities& value);
void to_json(nlohmann::json& json, const ServerCapabilities& value);
void from_json(const nlohmann::json& json, ServerCapabilities& value);
void to_json(nlohmann::json& json, const ServerInfo& value);
void from_json(const nlohmann::json& json, ServerInfo& value);
void to_json(nlohmann::json& json, const InitializeResult& value);
void from_json(const nlohmann::json& json, InitializeResult& value);
void to_json(nlohmann::json& json, const WorkDoneProgressCreateParams& value);
void from_json(const nlohmann::json& json, WorkDoneProgressCreateParams& value);
void to_json(nlohmann::json& json, const WorkDoneProgressBegin& value);
void from_json(const nlohmann::json& json, WorkDoneProgressBegin& value);
void to_json(nlohmann::json& json, const WorkDoneProgressReport& value);
void from_json(const nlohmann::json& json, WorkDoneProgressReport& value);
void to_json(nlohmann::json& json, const WorkDoneProgressEnd& value);
void from_json(const nlohmann::json& json, WorkDoneProgressEnd& value);
void to_json(nlohmann::json& json, const ProgressParams& value);
void from_json(const nlohmann::json& json, ProgressParams& value);
void to_json(nlohmann::json& json, const CancelParams& value);
void from_json(const nlohmann::json& json, CancelParams& value);
void to_json(nlohmann::json& json, const SetTraceParams& value);
void from_json(const nlohmann::json& json, SetTraceParams& value);
void to_json(nlohmann::json& json, const LogMessageParams& value);
void from_json(const nlohmann::json& json, LogMessageParams& value);
void to_json(nlohmann::json& json, const ShowMessageParams& value);
void from_json(const nlohmann::json& json, ShowMessageParams& value);

}  // namespace telinject::lsp
