#include "lsp_documents.h"

#include "json_fields.h"

namespace telinject::lsp {

using nlohmann::json;

void to_json(json& j, const DidOpenTextDocumentParams& value) {
  j = {{"textDocument", value.text_document}};
}
void from_json(const json& j, DidOpenTextDocumentParams& value) {
  fields::required(j, "textDocument", value.text_document);
}

void to_json(json& j, const TextDocumentContentChangeEvent& value) {
  j = {{"text", value.text}};
  fields::write(j, "range", value.range);
  fields::write(j, "rangeLength", value.range_length);
}
void from_json(const json& j, TextDocumentContentChangeEvent& value) {
  fields::required(j, "text", value.text);
  fields::optional(j, "range", value.range);
  fields::optional(j, "rangeLength", value.range_length);
}

void to_json(json& j, const DidChangeTextDocumentParams& value) {
  j = {{"textDocument", value.text_document}, {"contentChanges", value.content_changes}};
}
void from_json(const json& j, DidChangeTextDocumentParams& value) {
  fields::required(j, "textDocument", value.text_document);
  fields::required(j, "contentChanges", value.content_changes);
}

void to_json(json& j, const DidCloseTextDocumentParams& value) {
  j = {{"textDocument", value.text_document}};
}
void from_json(const json& j, DidCloseTextDocumentParams& value) {
  fields::required(j, "textDocument", value.text_document);
}

void to_json(json& j, const DidSaveTextDocumentParams& value) {
  j = {{"textDocument", value.text_document}};
  fields::write(j, "text", value.text);
}
void from_json(const json& j, DidSaveTextDocumentParams& value) {
  fields::required(j, "textDocument", value.text_document);
  fields::optional(j, "text", value.text);
}

void to_json(json& j, const WillSaveTextDocumentParams& value) {
  j = {{"textDocument", value.text_document}, {"reason", value.reason}};
}
void from_json(const json& j, WillSaveTextDocumentParams& value) {
  fields::required(j, "textDocument", value.text_document);
  fields::required(j, "reason", value.reason);
}

void to_json(json& j, const PublishDiagnosticsParams& value) {
  j = {{"uri", value.uri}, {"diagnostics", value.diagnostics}};
  fields::write(j, "version", value.version);
}
void from_json(const json& j, PublishDiagnosticsParams& value) {
  fields::required(j, "uri", value.uri);
  fields::required(j, "diagnostics", value.diagnostics);
  fields::optional(j, "version", value.version);
}

void to_json(json& j, const Hover& value) {
  j = {{"contents", value.contents}};
  fields::write(j, "range", value.range);
}
void from_json(const json& j, Hover& value) {
  fields::required(j, "contents", value.contents);
  fields::optional(j, "range", value.range);
}

void to_json(json& j, const CodeActionContext& value) {
  j = {{"diagnostics", value.diagnostics}};
  fields::write(j, "only", value.only);
  fields::write(j, "triggerKind", value.trigger_kind);
}
void from_json(const json& j, CodeActionContext& value) {
  fields::required(j, "diagnostics", value.diagnostics);
  fields::optional(j, "only", value.only);
  fields::optional(j, "triggerKind", value.trigger_kind);
}

void to_json(json& j, const CodeActionParams& value) {
  j = {{"textDocument", value.text_document}, {"range", value.range}, {"context", value.context}};
}
void from_json(const json& j, CodeActionParams& value) {
  fields::required(j, "textDocument", value.text_document);
  fields::required(j, "range", value.range);
  fields::required(j, "context", value.context);
}

void to_json(json& j, const CodeAction& value) {
  j = {{"title", value.title}};
  fields::write(j, "kind", value.kind);
  fields::write(j, "diagnostics", value.diagnostics);
  fields::write(j, "isPreferred", value.is_preferred);
  fields::write(j, "edit", value.edit);
  fields::write(j, "command", value.command);
  fields::write(j, "data", value.data);
}
void from_json(const json& j, CodeAction& value) {
  fields::required(j, "title", value.title);
  fields::optional(j, "kind", value.kind);
  fields::optional(j, "diagnostics", value.diagnostics);
  fields::optional(j, "isPreferred", value.is_preferred);
  fields::optional(j, "edit", value.edit);
  fields::optional(j, "command", value.command);
  fields::optional(j, "data", value.data);
}

void to_json(json& j, const CodeActionData& value) {
  j = {{"uri", value.uri},
       {"version", value.version},
       {"action", value.action == CodeActionData::Verb::kRemove ? "remove" : "instrument"}};
  fields::write(j, "function", value.function);
}
void from_json(const json& j, CodeActionData& value) {
  fields::required(j, "uri", value.uri);
  fields::required(j, "version", value.version);
  std::string verb;
  fields::required(j, "action", verb);
  if (verb == "instrument")
    value.action = CodeActionData::Verb::kInstrument;
  else if (verb == "remove")
    value.action = CodeActionData::Verb::kRemove;
  else
    throw std::invalid_argument("action: unknown action \"" + verb + "\"");
  fields::optional(j, "function", value.function);
}

void from_json(const json& j, ResolveCodeActionParams& value) {
  fields::read(j, value.action);
  fields::required(j, "data", value.data);
}

}  // namespace telinject::lsp
