// Telemetry templates: the text a profile inserts, per language. Deterministic: the same
// function and template always give the same bytes.
#pragma once

#include <map>
#include <string>

namespace telinject {

/// What one profile inserts into one language's files. Placeholders, replaced when rendered:
/// `{name}` the function's qualified name as a string literal of the language, `{qualname}` the
/// same unquoted, `{kind}` "function", "generator", "async_function" or "async_generator";
/// Python only: `{line}` the function's line in the source as it was before telinject, `{path}`
/// its file's path from its package's base folder as a string literal;
/// in import lines, `{runtime}` the helper's path relative to the file (languages whose imports
/// depend on where the file sits: JavaScript).
struct LanguageTemplate {
  std::string profile;  // "builtin", "opentelemetry" or a user's name
  /// The import statement a file needs, on a line of its own (no line break).
  std::string import_line;
  /// The statement that opens the span around a function body (Python: a `with` header
  /// without the trailing colon).
  std::string header;
  /// Used instead of `header` for generators and async generators when not empty.
  std::string generator_header;
  /// Whether telinject writes its runtime helper into the instrumented tree for this profile.
  bool needs_runtime = false;
  /// Text inserted after the body, for languages whose header opens a block that must be
  /// closed (JavaScript: the header ends with `try {`, the footer closes it with catch and
  /// finally). Empty for languages that wrap by indentation (Python).
  std::string footer;
  /// Used instead of `footer` for generators and async generators when not empty (a header
  /// that wraps the body in a callback has a generator variant that cannot: `yield` cannot be
  /// in one).
  std::string generator_footer;
  /// The import for files of a second module system when the language has one (JavaScript's
  /// CommonJS `require`, while `import_line` is the ES module import). Empty: `import_line`.
  std::string require_line;

  /// The fixed text both headers start with (up to the first placeholder): how instrumented
  /// functions are recognised.
  std::string marker() const;
  /// Everything that decides the rendered text, for cache keys.
  std::string fingerprint() const;
};

/// Replaces the placeholders of `pattern`. Unknown placeholders are kept as written.
std::string render_template(const std::string& pattern,
                            const std::map<std::string, std::string>& values);

}  // namespace telinject
