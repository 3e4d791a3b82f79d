// Glob matching as gitignore files and telinject's config use it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace telinject {

/// Matches a '/'-separated relative path against a glob, as git's wildmatch does for gitignore:
/// `*` and `?` never match '/'; `[a-z]`, `[!a-z]` / `[^a-z]` and `[[:alpha:]]` classes (never
/// matching '/'); `**` as a whole segment matches any number of directories (`a/**/b`, `**/x`)
/// or, at the end (`x/**`), everything below; `**` inside a segment (`a**b`) is a plain `*`;
/// `\` escapes the next character. A pattern ending in a lone `\` matches nothing. An
/// unterminated `[` is a literal. Pure function, thread-safe.
bool glob_match(std::string_view pattern, std::string_view path);

/// Matches a name where `*` matches any characters, '.' and '/' included ("*.test_*" on
/// "pkg.Class.test_x"); `?`, classes and `\` as in glob_match. Pure function, thread-safe.
bool name_glob_match(std::string_view pattern, std::string_view name);

/// One gitignore-style pattern line, parsed once and matched many times.
struct PathGlob {
  std::string pattern;          // the glob, without a leading or trailing '/'
  bool basename_only = false;   // no '/' in the middle: matches the last component, any depth
  bool directory_only = false;  // written with a trailing '/'
};

/// Parses a pattern as gitignore reads one (after comments, `!` and trailing spaces are dealt
/// with): a trailing '/' makes it directory-only; a '/' at the start or in the middle anchors it
/// to the base directory; otherwise it matches the name at any depth. Nothing when the pattern
/// is empty or only '/'.
std::optional<PathGlob> parse_path_glob(std::string_view text);

/// True when `relative` (below the pattern's base, '/'-separated, no leading '/') matches.
bool path_glob_match(const PathGlob& glob, std::string_view relative, bool is_directory);

/// True when `glob` names `relative` itself: read segment by segment, it matches `relative`
/// (or, when `is_directory`, a path below it), and the segment that lines up with the last
/// component of `relative` is that name written out, without `*`, `?`, `[` or `**`. So
/// "src/build", "**/build/**", "build" and "src/build/*.py" name the directory "src/build",
/// while "src", "src/**", "build*", "**/*.py" and "src/*/x.py" do not; "gen/x.py" and "**/x.py"
/// name the file "gen/x.py", "*.py" does not. This is how an include pattern must point at a
/// folder or file to bring it back when a default rule or .gitignore would skip it: a pattern
/// that filters ("src/**/*.py") never does. Pure function, thread-safe.
bool path_glob_names(const PathGlob& glob, std::string_view relative, bool is_directory);

}  // namespace telinject
