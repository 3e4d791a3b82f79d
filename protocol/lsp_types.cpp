#include "lsp_types.h"

#include "json_fields.h"

namespace telinject::lsp {

using nlohmann::json;

void to_json(json& j, const Position& value) {
  j = {{"line", value.line}, {"character", value.character}};
}
void from_json(const json& j, Position& value) {
  fields::required(j, "line", value.line);
  fields::required(j, "character", value.character);
}

void to_json(json& j, const Range& value) { j = {{"start", value.start}, {"end", value.end}}; }
void from_json(const json& j, Range& value) {
  fields::required(j, "start", value.start);
  fields::required(j, "end", value.end);
}

void to_json(json& j, const Location& value) { j = {{"uri", value.uri}, {"range", value.range}}; }
void from_json(const json& j, Location& value) {
  fields::required(j, "uri", value.uri);
  fields::required(j, "range", value.range);
}

void to_json(json& j, const TextDocumentIdentifier& value) { j = {{"uri", value.uri}}; }
void from_json(const json& j, TextDocumentIdentifier& value) {
  fields::required(j, "uri", value.uri);
}

void to_json(json& j, const VersionedTextDocumentIdentifier& value) {
  j = {{"uri", value.uri}, {"version", value.version}};
}
void from_json(const json& j, VersionedTextDocumentIdentifier& value) {
  fields::required(j, "uri", value.uri);
  fields::required(j, "version", value.version);
}

void to_json(json& j, const OptionalVersionedTextDocumentIdentifier& value) {
  j = {{"uri", value.uri}, {"version", nullptr}};
  if (value.version) j["version"] = *value.version;
}
void from_json(const json& j, OptionalVersionedTextDocumentIdentifier& value) {
  fields::required(j, "uri", value.uri);
  fields::optional(j, "version", value.version);
}

void to_json(json& j, const TextDocumentItem& value) {
  j = {{"uri", value.uri},
       {"languageId", value.language_id},
       {"version", value.version},
       {"text", value.text}};
}
void from_json(const json& j, TextDocumentItem& value) {
  fields::required(j, "uri", value.uri);
  fields::required(j, "languageId", value.language_id);
  fields::required(j, "version", value.version);
  fields::required(j, "text", value.text);
}

void to_json(json& j, const TextDocumentPositionParams& value) {
  j = {{"textDocument", value.text_document}, {"position", value.position}};
}
void from_json(const json& j, TextDocumentPositionParams& value) {
  fields::required(j, "textDocument", value.text_document);
  fields::required(j, "position", value.position);
}

void to_json(json& j, const TextEdit& value) {
  j = {{"range", value.range}, {"newText", value.new_text}};
}
void from_json(const json& j, TextEdit& value) {
  fields::required(j, "range", value.range);
  fields::required(j, "newText", value.new_text);
}

void to_json(json& j, const Command& value) {
  j = {{"title", value.title}, {"command", value.command}};
  fields::write(j, "arguments", value.arguments);
}
void from_json(const json& j, Command& value) {
  fields::required(j, "title", value.title);
  fields::required(j, "command", value.command);
  fields::optional(j, "arguments", value.arguments);
}

void to_json(json& j, const MarkupContent& value) {
  j = {{"kind", value.kind}, {"value", value.value}};
}
void from_json(const json& j, MarkupContent& value) {
  fields::required(j, "kind", value.kind);
  fields::required(j, "value", value.value);
}

void to_json(json& j, const DiagnosticRelatedInformation& value) {
  j = {{"location", value.location}, {"message", value.message}};
}
void from_json(const json& j, DiagnosticRelatedInformation& value) {
  fields::required(j, "location", value.location);
  fields::required(j, "message", value.message);
}

void to_json(json& j, const Diagnostic& value) {
  j = {{"range", value.range}, {"message", value.message}};
  fields::write(j, "severity", value.severity);
  fields::write(j, "code", value.code);
  fields::write(j, "source", value.source);
  fields::write(j, "relatedInformation", value.related_information);
  fields::write(j, "data", value.data);
}
void from_json(const json& j, Diagnostic& value) {
  fields::required(j, "range", value.range);
  fields::required(j, "message", value.message);
  fields::optional(j, "severity", value.severity);
  fields::optional(j, "code", value.code);
  fields::optional(j, "source", value.source);
  fields::optional(j, "relatedInformation", value.related_information);
  fields::optional(j, "data", value.data);
}

}  // namespace telinject::lsp
