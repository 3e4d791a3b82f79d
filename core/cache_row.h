// The script cache's rows (schema 2): keys as 32 raw bytes, values in a compact binary form with
// a checksum that binds them to their key. A row costs about a fifth of the JSON of schema 1,
// and needs no JSON parser to read: the writer thread and the hit path are cheaper for it.
//
// Script row:  u8 format | str function | str qualified_name | str profile | u8 origin |
//              u8 has_test [| 32B input | 32B expected | varint n, n × str check] |
//              varint texts, texts × str | varint insertions, each varint row, varint column,
//              varint text index | 16B checksum
// File row:    u8 format | 32B input | 32B output | varint functions | varint instrumented |
//              16B checksum
// str is a varint length then bytes; the checksum is the first 16 bytes of the SHA-256 of the
// key's bytes, the language (scripts) and everything before it. Readable JSON is still what
// `cache export` writes (insertion_script.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "result.h"
#include "script_cache.h"

namespace telinject::cache_row {

/// The key as stored: 32 bytes for a 64-digit lowercase hex SHA-256, else a 0 byte then the key
/// itself (keys of another shape, which tests use).
std::string key_bytes(std::string_view key);
/// The key back as the rest of telinject spells it.
std::string key_text(std::string_view bytes);

std::string encode_script(const CachedScript& entry);
/// The entry a row holds for `key` and `language`; an error for a damaged, truncated or forged
/// row (another key's or language's), or one of another format.
Result<CachedScript> decode_script(std::string_view row, const std::string& key,
                                   const std::string& language);

std::string encode_file(std::string_view key, const FileRecord& record);
std::optional<FileRecord> decode_file(std::string_view row, std::string_view key);

}  // namespace telinject::cache_row
