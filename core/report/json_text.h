// Writing JSON text by hand, for the trace files that are too large to build as a document.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace telinject::report {

/// The first '"', '\\' or control character (< 0x20) in [begin, end), or end: the bytes a JSON
/// string must escape. Eight bytes at a time (strings are most of a record's bytes).
const char* find_json_special(const char* begin, const char* end);

/// Appends `text` as a JSON string (quotes included): `"` `\` and control characters escaped.
/// Bytes that are not UTF-8 pass through (JSON readers replace them).
void append_json_string(std::string& out, std::string_view text);

/// Appends nanoseconds as microseconds with three decimals ("1234.567"), exactly.
void append_microseconds(std::string& out, int64_t nanoseconds);

}  // namespace telinject::report
