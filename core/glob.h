// Glob matching as gitignore and config files use it.
#pragma once

#include <string_view>

namespace telinject {

/// Matches a '/'-separated relative path: `*` and `?` never cross '/', `[a-z]` / `[!a-z]`
/// classes, `**` as a whole segment matches any number of directories (`a/**/b`, `**/x`,
/// `x/**`), `\` escapes the next character.
bool glob_match(std::string_view pattern, std::string_view path);

/// Matches a name where `*` matches any characters ("*.test_*" on "pkg.Class.test_x").
bool name_glob_match(std::string_view pattern, std::string_view name);

}  // namespace telinject
