#include "lsp_documents.h"

#include <algorithm>

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
namespace {

void append_json(std::string& out, const json& value);

// A string as JSON: printable ASCII without quotes or backslashes (names, URIs, messages)
// copied as it is; anything else through nlohmann, which escapes and replaces invalid UTF-8.
void append_json_string(std::string& out, std::string_view text) {
  bool plain = std::all_of(text.begin(), text.end(),
                           [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
  if (!plain) {
    out += json(text).dump(-1, ' ', false, json::error_handler_t::replace);
    return;
  }
  out += '"';
  out += text;
  out += '"';
}

void append_json(std::string& out, const json& value) {
  if (value.is_string()) {
    append_json_string(out, value.get_ref<const std::string&>());
  } else if (value.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [key, item] : value.items()) {
      if (!first) out += ',';
      first = false;
      append_json_string(out, key);
      out += ':';
      append_json(out, item);
    }
    out += '}';
  } else {
    out += value.dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

void append_position(std::string& out, const Position& position) {
  out += "{\"line\":";
  out += std::to_string(position.line);
  out += ",\"character\":";
  out += std::to_string(position.character);
  out += '}';
}

}  // namespace

std::string publish_diagnostics_body(const PublishDiagnosticsParams& value) {
  std::string out =
      R"({"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":)";
  out.reserve(out.size() + 64 + value.diagnostics.size() * 256);
  append_json_string(out, value.uri);
  if (value.version) out += ",\"version\":" + std::to_string(*value.version);
  out += ",\"diagnostics\":[";
  for (size_t i = 0; i < value.diagnostics.size(); ++i) {
    const Diagnostic& d = value.diagnostics[i];
    if (i > 0) out += ',';
    out += "{\"range\":{\"start\":";
    append_position(out, d.range.start);
    out += ",\"end\":";
    append_position(out, d.range.end);
    out += "},\"message\":";
    append_json_string(out, d.message);
    if (d.severity) out += ",\"severity\":" + std::to_string(static_cast<int>(*d.severity));
    if (d.code) out += ",\"code\":", append_json(out, *d.code);
    if (d.source) out += ",\"source\":", append_json_string(out, *d.source);
    if (d.related_information) {
      out += ",\"relatedInformation\":";
      append_json(out, json(*d.related_information));
    }
    if (d.data) out += ",\"data\":", append_json(out, *d.data);
    out += '}';
  }
  out += "]}}";
  return out;
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
