// GitignoreRules: .gitignore semantics for a directory walk.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace telinject {

/// Rules gathered from .gitignore files (and .git/info/exclude). Paths are absolute, '/'
/// separated. Later rules win; a `!` rule re-includes. Push a directory's file when entering it
/// and pop when leaving (rules stay ordered shallow to deep).
class GitignoreRules {
 public:
  /// Adds the rules of `file`, whose patterns are relative to `base_dir`. Returns how many were
  /// added (0 when the file does not exist), for `pop`.
  size_t push_file(const std::filesystem::path& file, const std::filesystem::path& base_dir);
  /// Adds rules from text, relative to `base_dir`.
  size_t push_text(const std::string& text, const std::filesystem::path& base_dir);
  void pop(size_t count);
  /// True when `path` (absolute) is ignored. `is_directory` for directory-only patterns.
  bool ignored(const std::string& path, bool is_directory) const;
  bool empty() const { return rules_.empty(); }

 private:
  struct Rule {
    std::string base;     // absolute directory with a trailing '/'
    std::string pattern;  // anchored patterns relative to base; others prefixed with "**/"
    bool negate = false;
    bool directory_only = false;
  };
  std::vector<Rule> rules_;
};

}  // namespace telinject
