// Recognising telemetry by its shape rather than its bytes: after a formatter (prettier, an
// editor's format-on-save) has re-indented, re-wrapped and re-quoted instrumented code, the
// declaration, the try's catch/finally and the import still have the tokens the template
// produced. Comparisons are token by token, ignoring what formatters change: white space, quote
// style (the string's content counts), semicolons and trailing commas.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "telemetry_template.h"

namespace telinject::javascript {

/// The tokens of `text` as compared: comments and `;` dropped, trailing commas dropped, string
/// literals written with double quotes and their quotes unescaped. `has_comment` (optional) is
/// set when the text holds a comment.
std::vector<std::string> shape_tokens(std::string_view text, bool* has_comment = nullptr);

/// A template piece to compare with: its tokens, where placeholders ({name}, {kind}, ...) are
/// holes that match any one token, and {async} / {await} an `async` / `await` that may be
/// missing.
class TemplateShape {
 public:
  TemplateShape() = default;
  explicit TemplateShape(const std::string& pattern);
  bool empty() const { return tokens_.empty(); }
  /// True when `text` has exactly these tokens and no comment.
  bool matches(std::string_view text) const;
  /// True when `text` starts with these tokens (the last may be a token's beginning).
  bool starts(std::string_view text) const;

 private:
  std::vector<std::string> tokens_;
};

/// The declaration part of a template header: the header without its final `try {` (or, for
/// a header that goes on inside the try block, without `try {` and what follows it).
std::string header_declaration(const std::string& header);

/// What the header adds after its declaration (" try {", or " try { return wrap(() => {"), with
/// the declaration's own end.
std::string header_tail(const std::string& header);

/// The shapes of one template's pieces.
struct TelemetryShapes {
  explicit TelemetryShapes(const LanguageTemplate& tmpl);
  TemplateShape marker;
  TemplateShape declaration;
  TemplateShape generator_declaration;
  TemplateShape head;  // header_tail of each header
  TemplateShape generator_head;
  TemplateShape footer;
  TemplateShape generator_footer;
  TemplateShape import_statement;
  TemplateShape require_statement;
};

}  // namespace telinject::javascript
