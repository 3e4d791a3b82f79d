// The path arguments of a run, checked before anything is scanned or written, and the
// "did you mean" for a mistyped command that would otherwise be taken as a path.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace telinject::cli {

/// The command of `commands` closest to `word` when it is close enough to be a typo of it
/// (optimal string alignment distance: one edit for words of 3 or 4 characters, two from 5 on;
/// never for shorter words or words holding '/' or '.'), or nothing. Ties go to the first.
std::optional<std::string> closest_command(std::string_view word,
                                           const std::vector<std::string>& commands);

/// Empty when every path exists as a file or directory; otherwise one message per bad path
/// ("src/x: no such file or directory"). `maybe_command`, when given, is a word that stood where
/// the command goes: when it is a bad path close to a command, its message says
/// "did you mean 'check'?".
std::vector<std::string> path_argument_problems(const std::vector<std::string>& paths,
                                                const std::optional<std::string>& maybe_command,
                                                const std::vector<std::string>& commands);

}  // namespace telinject::cli
