// Unified diffs, as `diff -u` prints them, for `--diff`.
#pragma once

#include <string>
#include <string_view>

namespace telinject {

/// The unified diff from `old_text` to `new_text` with `context` lines around each change, in
/// GNU diff's format (including "\ No newline at end of file"); empty when the texts are equal.
/// Myers' O(ND) algorithm in linear space.
std::string unified_diff(std::string_view old_text, std::string_view new_text,
                         const std::string& old_label, const std::string& new_label,
                         int context = 3);

}  // namespace telinject
