// The `telinject: ignore` opt-out comments of a file, found the same way in every language: the
// language gives the markers its comments start with.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "source_text.h"

namespace telinject {

/// Each `telinject: ignore` (or `telinject: ignore-file`) that follows a comment marker on its
/// row, in file order. A marker inside a string literal before it counts too: opting out is a
/// hint, and a false one only leaves a function without telemetry.
struct IgnoreComments {
  std::vector<uint32_t> rows;     // the comment's row
  std::vector<uint32_t> offsets;  // the byte where `telinject: ignore` starts
  std::vector<bool> whole_row;    // the comment is all the row holds (bar indentation)
  bool file = false;              // `telinject: ignore-file` anywhere (languages add their rules)
};

/// The opt-out comments of `source`, for comments starting with any of `markers` ("#", "//",
/// "/*").
IgnoreComments find_ignore_comments(const SourceText& source,
                                    std::initializer_list<std::string_view> markers);

}  // namespace telinject
