// Turning an LLM's instrumented function into an InsertionScript, and the security check that
// an LLM change is nothing but telemetry. The answer is text to compare, never code to run.
// In core, not in llm/: core checks whatever an LLM hook returns (llm_hooks.h) itself.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "insertion_script.h"
#include "result.h"
#include "telemetry_template.h"

namespace telinject {

/// The insertions that turn `original` (a function's text, from its first row) into `answer`.
/// Lines are matched in order; an answer line matches an original line when it is that line
/// with only whitespace before it. Fails, saying which line, when an original line is missing
/// or altered (code removed or changed), or when the answer adds lines after the function's end.
Result<std::vector<Insertion>> insertions_between(std::string_view original,
                                                  std::string_view answer);

/// What an inserted line may be: blank, or a telemetry statement of `tmpl` — it starts with the
/// template's marker and the rest holds only punctuation, numbers, identifiers that the
/// template itself uses, and string literals naming the function (`qualified_name`, `name`) or
/// its `kind`. So no import, no call outside the telemetry API, no other statement. The error
/// says what was found.
Result<void> check_telemetry_only(const std::vector<Insertion>& insertions,
                                  const LanguageTemplate& tmpl, const std::string& qualified_name,
                                  const std::string& name, const std::string& kind);

/// The LLM may fix what the telemetry says, not where it goes: every insertion that adds more
/// than whitespace must sit on a row where `own` (the language's script for the same function)
/// inserts more than whitespace too. So a telemetry line cannot, say, go above a docstring.
Result<void> check_same_place(const std::vector<Insertion>& answer,
                              const std::vector<Insertion>& own);

/// The "code" of an answer `{"function": ..., "code": ...}` (code fences around it are
/// tolerated). Fails when it is not that JSON or names another function than `qualified_name`.
Result<std::string> code_from_answer(std::string_view answer, const std::string& qualified_name);

}  // namespace telinject
