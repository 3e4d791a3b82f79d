// LSP text document messages: synchronisation (didOpen / didChange / didSave / willSave /
// didClose), published diagnostics, hover and code actions. Conventions as in lsp_types.h.
#pragma once

#include "lsp_types.h"
#include "lsp_workspace.h"

namespace telinject::lsp {

struct DidOpenTextDocumentParams {
  TextDocumentItem text_document;
};

/// One change from textDocument/didChange: a ranged replacement when `range` is set, else the
/// whole new text. `range_length` is deprecated and only carried along.
struct TextDocumentContentChangeEvent {
  std::optional<Range> range;
  std::optional<int> range_length;
  std::string text;
};

struct DidChangeTextDocumentParams {
  VersionedTextDocumentIdentifier text_document;
  std::vector<TextDocumentContentChangeEvent> content_changes;  // applied in order
};

struct DidCloseTextDocumentParams {
  TextDocumentIdentifier text_document;
};

struct DidSaveTextDocumentParams {
  TextDocumentIdentifier text_document;
  std::optional<std::string> text;  // when the server asked for save.includeText
};

enum class TextDocumentSaveReason { kManual = 1, kAfterDelay = 2, kFocusOut = 3 };

/// Params of textDocument/willSave and textDocument/willSaveWaitUntil.
struct WillSaveTextDocumentParams {
  TextDocumentIdentifier text_document;
  TextDocumentSaveReason reason = TextDocumentSaveReason::kManual;
};

struct PublishDiagnosticsParams {
  std::string uri;
  std::optional<int> version;
  std::vector<Diagnostic> diagnostics;
};

using HoverParams = TextDocumentPositionParams;

struct Hover {
  MarkupContent contents;
  std::optional<Range> range;
};

enum class CodeActionTriggerKind { kInvoked = 1, kAutomatic = 2 };

struct CodeActionContext {
  std::vector<Diagnostic> diagnostics;
  std::optional<std::vector<std::string>> only;  // code action kinds the client asks for
  std::optional<CodeActionTriggerKind> trigger_kind;
};

struct CodeActionParams {
  TextDocumentIdentifier text_document;
  Range range;
  CodeActionContext context;
};

/// A code action; `edit` and `command` may both be absent when `data` lets codeAction/resolve
/// fill them in later.
struct CodeAction {
  std::string title;
  std::optional<std::string> kind;  // "quickfix", "refactor.rewrite", "source"...
  std::optional<std::vector<Diagnostic>> diagnostics;
  std::optional<bool> is_preferred;
  std::optional<WorkspaceEdit> edit;
  std::optional<Command> command;
  std::optional<nlohmann::json> data;
};

/// telinject's own payload in CodeAction::data, from textDocument/codeAction to
/// codeAction/resolve (as clangd's TweakArgs): the document and version the action was offered
/// for, what it does, and the function when it is about one function.
struct CodeActionData {
  enum class Verb { kInstrument, kRemove };  // JSON: "instrument", "remove"
  std::string uri;
  int version = 0;
  Verb action = Verb::kInstrument;
  std::optional<std::string> function;  // qualified name; absent: the whole file
};

/// Params of codeAction/resolve: the action as the client sends it back, with its `data`
/// converted (required: an action without our data cannot be resolved).
struct ResolveCodeActionParams {
  CodeAction action;
  CodeActionData data;
};

void to_json(nlohmann::json& json, const DidOpenTextDocumentParams& value);
void from_json(const nlohmann::json& json, DidOpenTextDocumentParams& value);
void to_json(nlohmann::json& json, const TextDocumentContentChangeEvent& value);
void from_json(const nlohmann::json& json, TextDocumentContentChangeEvent& value);
void to_json(nlohmann::json& json, const DidChangeTextDocumentParams& value);
void from_json(const nlohmann::json& json, DidChangeTextDocumentParams& value);
void to_json(nlohmann::json& json, const DidCloseTextDocumentParams& value);
void from_json(const nlohmann::json& json, DidCloseTextDocumentParams& value);
void to_json(nlohmann::json& json, const DidSaveTextDocumentParams& value);
void from_json(const nlohmann::json& json, DidSaveTextDocumentParams& value);
void to_json(nlohmann::json& json, const WillSaveTextDocumentParams& value);
void from_json(const nlohmann::json& json, WillSaveTextDocumentParams& value);
void to_json(nlohmann::json& json, const PublishDiagnosticsParams& value);
/// The whole textDocument/publishDiagnostics notification body, written directly: the same
/// JSON as notification_body(method, params), without building its tree first (a file with
/// hundreds of diagnostics is published after every edit, and the tree cost more than the edit).
std::string publish_diagnostics_body(const PublishDiagnosticsParams& value);
void from_json(const nlohmann::json& json, PublishDiagnosticsParams& value);
void to_json(nlohmann::json& json, const Hover& value);
void from_json(const nlohmann::json& json, Hover& value);
void to_json(nlohmann::json& json, const CodeActionContext& value);
void from_json(const nlohmann::json& json, CodeActionContext& value);
void to_json(nlohmann::json& json, const CodeActionParams& value);
void from_json(const nlohmann::json& json, CodeActionParams& value);
void to_json(nlohmann::json& json, const CodeAction& value);
void from_json(const nlohmann::json& json, CodeAction& value);
void to_json(nlohmann::json& json, const CodeActionData& value);
void from_json(const nlohmann::json& json, CodeActionData& value);
void from_json(const nlohmann::json& json, ResolveCodeActionParams& value);

}  // namespace telinject::lsp
