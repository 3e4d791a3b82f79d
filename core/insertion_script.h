// InsertionScript: the declarative edit program for one function. It only inserts text at
// anchors relative to the function's first row; it is data, never executed. A script is keyed by
// the SHA-256 of everything that decides its output, so it can be cached and reused wherever the
// same function text appears.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "result.h"
#include "source_text.h"

namespace telinject {

/// Insert `text` at byte `column` of row `row`, both relative to the function's first row.
/// Text uses "\n" line breaks; they are converted to the file's own when applied.
struct Insertion {
  uint32_t row = 0;
  uint32_t column = 0;
  std::string text;
  bool operator==(const Insertion&) const = default;
};

struct InsertionScript;

/// The generated test stored beside a script: applying the script to the function text whose
/// SHA-256 is `input_sha256` must give the text whose SHA-256 is `expected_sha256`. `checks`
/// names what was verified when the script was made ("reparse", "roundtrip", "template").
/// Hashes rather than texts keep entries small; the input is always at hand when replaying.
struct ScriptTest {
  std::string input_sha256;
  std::string expected_sha256;
  std::vector<std::string> checks = {"reparse", "roundtrip", "template"};
  bool operator==(const ScriptTest&) const = default;

  /// Builds the test for `script` on `function_text`; fails when the script does not apply.
  static Result<ScriptTest> make(const InsertionScript& script, std::string_view function_text);
  /// Replays the test on `function_text`: true when the text is the test's input and the
  /// script still produces the expected output.
  bool passes(const InsertionScript& script, std::string_view function_text) const;
};

struct InsertionScript {
  static constexpr int kFormatVersion = 1;
  std::string key;            // SHA-256 hex of the inputs (see make_script_key)
  std::string language;       // "python"
  std::string function_name;  // short name, used in the cache file name
  std::string qualified_name;
  std::string profile;
  std::string origin = "template";  // "template" or "llm"
  std::vector<Insertion> insertions;
  bool operator==(const InsertionScript&) const = default;
};

/// The cache key: SHA-256 of the telinject version, language, profile, template fingerprint,
/// qualified name, the function's exact text and `context` (layout facts outside the text that
/// change the output, such as how many enclosing functions are instrumented in the same pass).
std::string make_script_key(const std::string& language, const std::string& template_fingerprint,
                            const std::string& qualified_name, std::string_view function_text,
                            const std::string& context);

/// Turns a script into absolute edits for a function whose first row is `first_row` in
/// `source`. Fails when an anchor falls outside the file or past the end of its row.
Result<std::vector<TextEdit>> script_edits(const InsertionScript& script, const SourceText& source,
                                           uint32_t first_row);

/// Applies `script` to the function text alone (its first row is row 0): the expected text of
/// the script's generated test.
Result<std::string> apply_to_function_text(const InsertionScript& script,
                                           std::string_view function_text);

/// JSON (de)serialisation of scripts and tests, for the cache. `checksum` covers the script's
/// content so a damaged entry is detected.
std::string script_to_json(const InsertionScript& script);
Result<InsertionScript> script_from_json(std::string_view json);
std::string test_to_json(const ScriptTest& test, const std::string& script_key);
Result<ScriptTest> test_from_json(std::string_view json, const std::string& script_key);

}  // namespace telinject
