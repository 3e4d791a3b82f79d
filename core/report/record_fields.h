// Field values of the record lines, shared by the fast scanner and the nlohmann::json path.
#pragma once

#include <cstdint>
#include <string_view>

namespace telinject::report {

/// FNV-1a: ids and thread ids that are not numbers become 64-bit values.
uint64_t fnv1a(std::string_view text);
/// 16 hex digits as a number; false for anything else.
bool parse_hex64(std::string_view text, uint64_t& value);
/// A 32-hex-digit trace id as two numbers; anything else hashed into `high` (`low` 0).
void parse_trace_id(std::string_view text, uint64_t& high, uint64_t& low);
/// "1234" as int64 (OpenTelemetry's JSON writes 64-bit integers as strings); false otherwise.
bool parse_integer_text(std::string_view text, int64_t& value);
/// The value of one hex digit, or -1.
int hex_digit(char c);

}  // namespace telinject::report
