// Unified diffs, as `diff -u` prints them, for `--diff`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace telinject {

/// The unified diff from `old_text` to `new_text` with `context` lines around each change, in
/// GNU diff's format (including "\ No newline at end of file"); empty when the texts are equal.
/// Myers' O(ND) algorithm in linear space.
std::string unified_diff(std::string_view old_text, std::string_view new_text,
                         const std::string& old_label, const std::string& new_label,
                         int context = 3);

/// One changed region by lines (a line includes its '\n'): old lines [old_start, old_start +
/// old_count) became new lines [new_start, new_start + new_count).
struct LineChange {
  size_t old_start = 0, old_count = 0, new_start = 0, new_count = 0;
};

/// The changed regions from `old_text` to `new_text`, in order (Myers, as unified_diff).
std::vector<LineChange> line_changes(std::string_view old_text, std::string_view new_text);

}  // namespace telinject
