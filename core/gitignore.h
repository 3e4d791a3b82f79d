// GitignoreRules: .gitignore semantics for a recursive directory walk.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glob.h"

namespace telinject {

/// The ignore rules in force at one point of a walk: .git/info/exclude, then every .gitignore
/// from the repository root down to the current directory. Each file's patterns are relative to
/// the directory holding it. Use it as a stack: push a directory's .gitignore when entering the
/// directory and pop the returned count when leaving, so rules stay ordered shallow to deep and
/// the last matching rule decides (a `!` rule re-includes).
///
/// `ignored` looks at the path itself only: the walk must test a directory before entering it
/// and not enter it when ignored, which is how git makes "a file inside an ignored directory
/// cannot be re-included" hold. Not thread-safe for writing; const methods may run concurrently.
class GitignoreRules {
 public:
  /// Adds the rules of the gitignore-format `file`, whose patterns are relative to `base_dir`
  /// (absolute). Returns how many rules were added, for `pop`; 0 when the file is missing or
  /// unreadable (a missing .gitignore is the usual case, not an error).
  size_t push_file(const std::filesystem::path& file, const std::filesystem::path& base_dir);
  /// Adds rules from gitignore-format text: blank lines and `#` comments skipped, unescaped
  /// trailing spaces trimmed, CRLF and a UTF-8 BOM accepted, `\` escapes, `!` negation,
  /// trailing `/` for directories only, a leading or inner `/` anchors to `base_dir`.
  /// Returns how many rules were added.
  size_t push_text(std::string_view text, const std::filesystem::path& base_dir);
  /// Adds the repository's own excludes (info/exclude in its git directory, worktrees and
  /// `.git` files included), relative to `work_tree`. Returns how many rules were added.
  size_t push_repository_excludes(const std::filesystem::path& work_tree);
  /// Removes the last `count` rules.
  void pop(size_t count);

  /// True when `path` (absolute, '/'-separated) is ignored by the last rule that matches it.
  /// `is_directory` enables directory-only patterns ("build/").
  bool ignored(std::string_view path, bool is_directory) const;
  bool empty() const { return rules_.empty(); }
  size_t size() const { return rules_.size(); }

 private:
  struct Rule {
    std::string base;  // absolute directory with a trailing '/'
    PathGlob glob;
    bool negate = false;
  };
  std::vector<Rule> rules_;
};

/// The nearest directory at or above `directory` (absolute) that holds a `.git` entry (a
/// directory, or a file as in worktrees and submodules), or nothing.
std::optional<std::filesystem::path> enclosing_work_tree(std::filesystem::path directory);

}  // namespace telinject
