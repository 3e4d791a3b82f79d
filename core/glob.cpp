#include "glob.h"

namespace telinject {
namespace {

// Matches a class "[...]" starting at pattern[p] against c; sets `end` past the ']'.
bool match_class(std::string_view pattern, size_t p, char c, size_t* end, bool* valid) {
  size_t i = p + 1;
  bool negate = i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^');
  if (negate) ++i;
  bool matched = false;
  bool first = true;
  for (; i < pattern.size() && (pattern[i] != ']' || first); first = false) {
    char low = pattern[i];
    if (low == '\\' && i + 1 < pattern.size()) low = pattern[++i];
    char high = low;
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      high = pattern[i + 2];
      i += 2;
    }
    if (c >= low && c <= high) matched = true;
    ++i;
  }
  *valid = i < pattern.size();
  *end = i + 1;
  return matched != negate;
}

// Glob over a string; `slash_special` keeps '*' and '?' from matching '/' and enables '**'.
bool match(std::string_view pattern, std::string_view text, bool slash_special) {
  size_t p = 0, t = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size() || p < pattern.size()) {
    if (p < pattern.size()) {
      char c = pattern[p];
      if (slash_special && c == '*' && p + 1 < pattern.size() && pattern[p + 1] == '*') {
        // '**': with a following '/', zero or more whole directories; otherwise anything.
        size_t rest = p + 2;
        bool dir_form = rest < pattern.size() && pattern[rest] == '/';
        std::string_view tail = pattern.substr(dir_form ? rest + 1 : rest);
        for (size_t k = t; k <= text.size(); ++k) {
          if ((!dir_form || k == t || text[k - 1] == '/') && match(tail, text.substr(k), true))
            return true;
        }
        return false;
      }
      if (c == '*') {
        star_p = p++;
        star_t = t;
        continue;
      }
      if (t < text.size()) {
        if (c == '?' && (!slash_special || text[t] != '/')) {
          ++p, ++t;
          continue;
        }
        if (c == '[') {
          size_t end;
          bool valid;
          bool ok = match_class(pattern, p, text[t], &end, &valid);
          if (valid && ok && (!slash_special || text[t] != '/')) {
            p = end, ++t;
            continue;
          }
          if (valid) goto backtrack;
        }
        if (c == '\\' && p + 1 < pattern.size()) c = pattern[++p];
        if (c == text[t]) {
          ++p, ++t;
          continue;
        }
      }
    }
  backtrack:
    if (star_p != std::string_view::npos && star_t < text.size() &&
        (!slash_special || text[star_t] != '/')) {
      p = star_p + 1;
      t = ++star_t;
      continue;
    }
    return false;
  }
  return true;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view path) { return match(pattern, path, true); }

bool name_glob_match(std::string_view pattern, std::string_view name) {
  return match(pattern, name, false);
}

}  // namespace telinject
