// External checks: run a language's own compiler on a text, for `--validate=strict`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "language.h"
#include "result.h"

namespace telinject {

/// Writes `text` to a fresh temporary directory as `file_name`, runs the language's checker
/// command on it (LanguageSupport::checker_command) and removes the directory. Succeeds when the
/// checker exits 0 or when the checker program is not installed (`*skipped` is then set);
/// fails with the checker's output otherwise.
Result<void> run_external_check(const LanguageSupport& language, std::string_view text,
                                const std::string& file_name, bool* skipped);

}  // namespace telinject
