// The basic LSP 3.17 value types (positions, ranges, document identifiers, text edits, commands,
// markup, diagnostics) with their JSON forms. Feature-specific messages build on these in
// lsp_documents.h, lsp_workspace.h and lsp_lifecycle.h.
//
// Conventions for every struct in namespace telinject::lsp:
// - Members are snake_case; the JSON keys are the spec's camelCase names.
// - `from_json` throws a std::exception when a required field is absent or has the wrong type
//   (nlohmann's out_of_range / type_error) or holds a value we do not support
//   (std::invalid_argument, also for an integer field that is not an integer in range: 1.5,
//   "1", 2^64); the dispatcher turns it into InvalidParams. Unknown fields are
//   ignored. Optional fields absent or null on input leave the std::optional empty.
// - `to_json` omits std::optional fields that are unset, except where the spec makes the field
//   required but nullable (noted on the member).
// - All functions are pure and thread-safe.
#pragma once

#include <compare>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace telinject::lsp {

/// A zero-based line and character offset; `character` counts code units of the negotiated
/// position encoding (see position.h).
struct Position {
  int line = 0;
  int character = 0;
  friend auto operator<=>(const Position&, const Position&) = default;
};

/// A half-open range [start, end).
struct Range {
  Position start;
  Position end;
  friend bool operator==(const Range&, const Range&) = default;
};

struct Location {
  std::string uri;
  Range range;
  friend bool operator==(const Location&, const Location&) = default;
};

struct TextDocumentIdentifier {
  std::string uri;
};

struct VersionedTextDocumentIdentifier {
  std::string uri;
  int version = 0;
};

/// A document identifier whose version may be unknown: `version` is written as JSON null when
/// unset, because the spec requires the key.
struct OptionalVersionedTextDocumentIdentifier {
  std::string uri;
  std::optional<int> version;
};

/// A whole document as the client opens it.
struct TextDocumentItem {
  std::string uri;
  std::string language_id;
  int version = 0;
  std::string text;
};

/// A position in a document: the params of hover and other position requests.
struct TextDocumentPositionParams {
  TextDocumentIdentifier text_document;
  Position position;
};

struct TextEdit {
  Range range;
  std::string new_text;
  friend bool operator==(const TextEdit&, const TextEdit&) = default;
};

/// A command the client runs through workspace/executeCommand.
struct Command {
  std::string title;
  std::string command;
  std::optional<std::vector<nlohmann::json>> arguments;
};

/// "plaintext" or "markdown" text for the client to render.
struct MarkupContent {
  std::string kind = "markdown";
  std::string value;
};

enum class DiagnosticSeverity { kError = 1, kWarning = 2, kInformation = 3, kHint = 4 };

struct DiagnosticRelatedInformation {
  Location location;
  std::string message;
};

struct Diagnostic {
  Range range;
  std::optional<DiagnosticSeverity> severity;
  std::optional<nlohmann::json> code;  // an integer or a string
  std::optional<std::string> source;
  std::string message;
  std::optional<std::vector<DiagnosticRelatedInformation>> related_information;
  std::optional<nlohmann::json> data;  // kept from publishDiagnostics to codeAction
};

void to_json(nlohmann::json& json, const Position& value);
void from_json(const nlohmann::json& json, Position& value);
void to_json(nlohmann::json& json, const Range& value);
void from_json(const nlohmann::json& json, Range& value);
void to_json(nlohmann::json& json, const Location& value);
void from_json(const nlohmann::json& json, Location& value);
void to_json(nlohmann::json& json, const TextDocumentIdentifier& value);
void from_json(const nlohmann::json& json, TextDocumentIdentifier& value);
void to_json(nlohmann::json& json, const VersionedTextDocumentIdentifier& value);
void from_json(const nlohmann::json& json, VersionedTextDocumentIdentifier& value);
void to_json(nlohmann::json& json, const OptionalVersionedTextDocumentIdentifier& value);
void from_json(const nlohmann::json& json, OptionalVersionedTextDocumentIdentifier& value);
void to_json(nlohmann::json& json, const TextDocumentItem& value);
void from_json(const nlohmann::json& json, TextDocumentItem& value);
void to_json(nlohmann::json& json, const TextDocumentPositionParams& value);
void from_json(const nlohmann::json& json, TextDocumentPositionParams& value);
void to_json(nlohmann::json& json, const TextEdit& value);
void from_json(const nlohmann::json& json, TextEdit& value);
void to_json(nlohmann::json& json, const Command& value);
void from_json(const nlohmann::json& json, Command& value);
void to_json(nlohmann::json& json, const MarkupContent& value);
void from_json(const nlohmann::json& json, MarkupContent& value);
void to_json(nlohmann::json& json, const DiagnosticRelatedInformation& value);
void from_json(const nlohmann::json& json, DiagnosticRelatedInformation& value);
void to_json(nlohmann::json& json, const Diagnostic& value);
void from_json(const nlohmann::json& json, Diagnostic& value);

}  // namespace telinject::lsp
