#include "glob.h"

#include <cctype>
#include <vector>

namespace telinject {
namespace {

constexpr size_t npos = std::string_view::npos;

// `[:name:]` inside a bracket class. Unknown names match nothing (git rejects the pattern).
bool posix_class_matches(std::string_view name, unsigned char c) {
  if (name == "alnum") return std::isalnum(c);
  if (name == "alpha") return std::isalpha(c);
  if (name == "blank") return c == ' ' || c == '\t';
  if (name == "cntrl") return std::iscntrl(c);
  if (name == "digit") return std::isdigit(c);
  if (name == "graph") return std::isgraph(c);
  if (name == "lower") return std::islower(c);
  if (name == "print") return std::isprint(c);
  if (name == "punct") return std::ispunct(c);
  if (name == "space") return std::isspace(c);
  if (name == "upper") return std::isupper(c);
  if (name == "xdigit") return std::isxdigit(c);
  return false;
}

struct ClassMatch {
  bool terminated = false;  // false: no closing ']', the '[' is a literal
  bool matched = false;
  size_t end = 0;  // just past the closing ']'
};

// Matches `c` against the bracket class opening at pattern[open].
ClassMatch match_class(std::string_view pattern, size_t open, unsigned char c) {
  size_t i = open + 1;
  bool negate = i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^');
  if (negate) ++i;
  bool matched = false;
  for (bool first = true; i < pattern.size(); first = false) {
    if (pattern[i] == ']' && !first) return {true, matched != negate, i + 1};
    if (pattern[i] == '[' && i + 1 < pattern.size() && pattern[i + 1] == ':') {
      size_t close = pattern.find(":]", i + 2);
      if (close != npos) {
        matched |= posix_class_matches(pattern.substr(i + 2, close - i - 2), c);
        i = close + 2;
        continue;
      }
    }
    if (pattern[i] == '\\' && i + 1 < pattern.size()) ++i;
    auto low = static_cast<unsigned char>(pattern[i++]);
    unsigned char high = low;
    // "a-z" is a range; a '-' right before the ']' is a literal.
    if (i + 1 < pattern.size() && pattern[i] == '-' && pattern[i + 1] != ']') {
      ++i;
      if (pattern[i] == '\\' && i + 1 < pattern.size()) ++i;
      high = static_cast<unsigned char>(pattern[i++]);
    }
    if (low <= c && c <= high) matched = true;
  }
  return {};
}

// Iterative matcher with one backtrack point for the last `*`. In path mode `*` cannot cross
// '/', so each pattern '/' pairs with the next text '/' and backtracking into an earlier
// segment never helps; `**` segments recurse over every directory boundary instead.
bool match(std::string_view pattern, std::string_view text, bool path_mode) {
  size_t p = 0, t = 0;
  size_t star_p = npos, star_t = 0;
  while (true) {
    if (p < pattern.size()) {
      char c = pattern[p];
      if (c == '*') {
        size_t run = p;
        while (run < pattern.size() && pattern[run] == '*') ++run;
        bool whole_segment =
            (p == 0 || pattern[p - 1] == '/') && (run == pattern.size() || pattern[run] == '/');
        if (path_mode && run - p >= 2 && whole_segment) {
          if (run == pattern.size()) return true;  // "x/**", "**": everything below
          // "**/": zero or more whole directories, then the rest of the pattern.
          std::string_view rest = pattern.substr(run + 1);
          // "**/**/" is one "**/"; collapsing keeps repeated ones from multiplying the work.
          while (rest.starts_with("**/") || rest == "**") {
            if (rest == "**") return true;
            rest.remove_prefix(3);
          }
          for (size_t k = t;;) {
            if (match(rest, text.substr(k), true)) return true;
            size_t slash = text.find('/', k);
            if (slash == npos) return false;
            k = slash + 1;
          }
        }
        star_p = p = run;
        star_t = t;
        continue;
      }
      if (t < text.size()) {
        auto ch = static_cast<unsigned char>(text[t]);
        bool slash_blocked = path_mode && ch == '/';
        if (c == '?') {
          if (!slash_blocked) {
            ++p, ++t;
            continue;
          }
        } else if (ClassMatch klass; c == '[' && (klass = match_class(pattern, p, ch)).terminated) {
          if (klass.matched && !slash_blocked) {
            p = klass.end, ++t;
            continue;
          }
        } else {
          if (c == '\\') {
            if (p + 1 == pattern.size()) return false;  // trailing lone '\': invalid pattern
            c = pattern[++p];
          }
          if (static_cast<unsigned char>(c) == ch) {
            ++p, ++t;
            continue;
          }
        }
      }
    } else if (t == text.size()) {
      return true;
    }
    // Mismatch: let the last `*` swallow one more character, if it may.
    if (star_p == npos || star_t >= text.size() || (path_mode && text[star_t] == '/')) return false;
    p = star_p;
    t = ++star_t;
  }
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view path) {
  return match(pattern, path, true);
}

bool name_glob_match(std::string_view pattern, std::string_view name) {
  return match(pattern, name, false);
}

std::optional<PathGlob> parse_path_glob(std::string_view text) {
  PathGlob glob;
  if (!text.empty() && text.back() == '/') {
    glob.directory_only = true;
    text.remove_suffix(1);
  }
  bool anchored = text.find('/') != npos;
  if (!text.empty() && text.front() == '/') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  glob.basename_only = !anchored;
  glob.pattern = std::string(text);
  return glob;
}

bool path_glob_match(const PathGlob& glob, std::string_view relative, bool is_directory) {
  if (glob.directory_only && !is_directory) return false;
  if (glob.basename_only) {
    size_t slash = relative.rfind('/');
    if (slash != npos) relative.remove_prefix(slash + 1);
  }
  return glob_match(glob.pattern, relative);
}

namespace {

std::vector<std::string_view> split_segments(std::string_view text) {
  std::vector<std::string_view> segments;
  for (size_t start = 0;;) {
    size_t slash = text.find('/', start);
    segments.push_back(text.substr(start, slash == npos ? npos : slash - start));
    if (slash == npos) return segments;
    start = slash + 1;
  }
}

bool has_wildcard(std::string_view segment) {
  for (size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '\\') {
      ++i;  // an escaped character is written out
      continue;
    }
    if (segment[i] == '*' || segment[i] == '?' || segment[i] == '[') return true;
  }
  return false;
}

// Matches parts[j..] from pattern segment i on; see path_glob_names.
bool names_from(const std::vector<std::string_view>& segments, size_t i,
                const std::vector<std::string_view>& parts, size_t j, const PathGlob& glob,
                bool is_directory) {
  if (i == segments.size()) return false;  // the pattern stops above the path: an ancestor
  const bool last = j + 1 == parts.size();
  if (segments[i] == "**") {
    if (names_from(segments, i + 1, parts, j, glob, is_directory)) return true;
    // `**` may swallow this component, but then it does not name the last one.
    return !last && names_from(segments, i, parts, j + 1, glob, is_directory);
  }
  if (!glob_match(segments[i], parts[j])) return false;
  if (!last) return names_from(segments, i + 1, parts, j + 1, glob, is_directory);
  if (has_wildcard(segments[i])) return false;
  if (i + 1 == segments.size()) return !glob.directory_only || is_directory;
  return is_directory;  // the pattern goes on below the path
}

}  // namespace

bool path_glob_names(const PathGlob& glob, std::string_view relative, bool is_directory) {
  std::vector<std::string_view> segments = split_segments(glob.pattern);
  if (glob.basename_only) segments.insert(segments.begin(), "**");
  return names_from(segments, 0, split_segments(relative), 0, glob, is_directory);
}

}  // namespace telinject
