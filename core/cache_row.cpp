#include "cache_row.h"

#include <cstdint>
#include <map>

#include "sha256.h"

namespace telinject::cache_row {
namespace {

constexpr uint8_t kScriptFormat = 2;
constexpr uint8_t kFileFormat = 2;
constexpr size_t kChecksumSize = 16;
// Bounds no sound row comes near; a decoder never allocates more than the row could hold.
constexpr uint64_t kMaxCount = 1u << 24;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

void put_varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void put_string(std::string& out, std::string_view text) {
  put_varint(out, text.size());
  out.append(text);
}

// Appends the checksum of `out` (the row so far) for `key` and `language`.
void seal(std::string& out, std::string_view key, std::string_view language) {
  out += sha256_bytes(key_bytes(key) + '\0' + std::string(language) + '\0' + out)
             .substr(0, kChecksumSize);
}

// Reads a row front to back; any read past the end (or a bound exceeded) sets `failed`.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  bool failed() const { return failed_; }
  bool done() const { return rest_.empty(); }

  uint8_t byte() {
    if (rest_.empty()) return fail(), 0;
    uint8_t value = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return value;
  }
  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = byte();
      if (failed_) return 0;
      value |= uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) return value;
    }
    return fail(), 0;
  }
  std::string_view bytes(size_t size) {
    if (size > rest_.size()) return fail(), std::string_view();
    std::string_view value = rest_.substr(0, size);
    rest_.remove_prefix(size);
    return value;
  }
  std::string string() { return std::string(bytes(varint())); }
  uint64_t count() {
    uint64_t n = varint();
    if (n > kMaxCount || n > rest_.size()) return fail(), 0;
    return n;
  }

 private:
  void fail() {
    failed_ = true;
    rest_ = {};
  }
  std::string_view rest_;
  bool failed_ = false;
};

// The body of a sealed row for `key` and `language`, when its checksum holds.
std::optional<std::string_view> unsealed(std::string_view row, std::string_view key,
                                         std::string_view language) {
  if (row.size() < kChecksumSize + 1) return std::nullopt;
  std::string_view body = row.substr(0, row.size() - kChecksumSize);
  std::string expected =
      sha256_bytes(key_bytes(key) + '\0' + std::string(language) + '\0' + std::string(body))
          .substr(0, kChecksumSize);
  if (row.substr(body.size()) != expected) return std::nullopt;
  return body;
}

}  // namespace

std::string key_bytes(std::string_view key) {
  if (key.size() == 64) {
    std::string out(32, '\0');
    bool hex = true;
    for (size_t i = 0; i < 32 && hex; ++i) {
      int high = hex_digit(key[2 * i]), low = hex_digit(key[2 * i + 1]);
      hex = high >= 0 && low >= 0;
      out[i] = static_cast<char>((high << 4) | low);
    }
    if (hex) return out;
  }
  std::string out(1, '\0');  // (not `string + string`: gcc 12 warns -Wrestrict on that)
  out.append(key);
  return out;
}

std::string key_text(std::string_view bytes) {
  if (bytes.size() != 32) return std::string(bytes.empty() ? bytes : bytes.substr(1));
  static const char kDigits[] = "0123456789abcdef";
  std::string out(64, '0');
  for (size_t i = 0; i < 32; ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 0xf];
  }
  return out;
}

std::string encode_script(const CachedScript& entry) {
  const InsertionScript& s = entry.script;
  std::string out;
  out.reserve(64 + s.qualified_name.size() * 2 + s.insertions.size() * 4);
  out.push_back(static_cast<char>(kScriptFormat));
  put_string(out, s.function_name);
  put_string(out, s.qualified_name);
  put_string(out, s.profile);
  out.push_back(s.origin == "llm" ? 1 : 0);
  out.push_back(entry.test ? 1 : 0);
  if (entry.test) {
    put_string(out, key_bytes(entry.test->input_sha256));
    put_string(out, key_bytes(entry.test->expected_sha256));
    put_varint(out, entry.test->checks.size());
    for (const std::string& check : entry.test->checks) put_string(out, check);
  }
  // Insertions repeat few texts (Python's re-indented body lines all insert the same spaces).
  std::map<std::string_view, uint64_t> index;
  std::vector<std::string_view> texts;
  for (const Insertion& i : s.insertions)
    if (index.emplace(i.text, texts.size()).second) texts.push_back(i.text);
  put_varint(out, texts.size());
  for (std::string_view text : texts) put_string(out, text);
  put_varint(out, s.insertions.size());
  for (const Insertion& i : s.insertions) {
    put_varint(out, i.row);
    put_varint(out, i.column);
    put_varint(out, index[i.text]);
  }
  seal(out, s.key, s.language);
  return out;
}

Result<CachedScript> decode_script(std::string_view row, const std::string& key,
                                   const std::string& language) {
  auto body = unsealed(row, key, language);
  if (!body) return make_error("checksum mismatch");
  Reader in(*body);
  if (in.byte() != kScriptFormat) return make_error("unknown script format");
  CachedScript entry;
  InsertionScript& s = entry.script;
  s.key = key;
  s.language = language;
  s.function_name = in.string();
  s.qualified_name = in.string();
  s.profile = in.string();
  uint8_t origin = in.byte();
  s.origin = origin == 1 ? "llm" : "template";
  uint8_t has_test = in.byte();
  if (origin > 1 || has_test > 1) return make_error("malformed script row");
  if (has_test) {
    ScriptTest test;
    test.input_sha256 = key_text(in.string());
    test.expected_sha256 = key_text(in.string());
    test.checks.clear();
    for (uint64_t n = in.count(); n > 0 && !in.failed(); --n) test.checks.push_back(in.string());
    entry.test = std::move(test);
  }
  std::vector<std::string> texts(in.count());
  for (std::string& text : texts) text = in.string();
  uint64_t insertions = in.count();
  s.insertions.reserve(insertions);
  for (uint64_t n = 0; n < insertions && !in.failed(); ++n) {
    uint64_t at_row = in.varint(), column = in.varint(), text = in.varint();
    if (at_row > UINT32_MAX || column > UINT32_MAX || text >= texts.size())
      return make_error("malformed script row");
    s.insertions.push_back(
        {static_cast<uint32_t>(at_row), static_cast<uint32_t>(column), texts[text]});
  }
  if (in.failed() || !in.done()) return make_error("malformed script row");
  return entry;
}

std::string encode_file(std::string_view key, const FileRecord& record) {
  std::string out;
  out.push_back(static_cast<char>(kFileFormat));
  put_string(out, key_bytes(record.input_sha256));
  put_string(out, key_bytes(record.output_sha256));
  put_varint(out, record.functions);
  put_varint(out, record.instrumented);
  seal(out, key, "");
  return out;
}

std::optional<FileRecord> decode_file(std::string_view row, std::string_view key) {
  auto body = unsealed(row, key, "");
  if (!body) return std::nullopt;
  Reader in(*body);
  if (in.byte() != kFileFormat) return std::nullopt;
  FileRecord record;
  record.input_sha256 = key_text(in.string());
  record.output_sha256 = key_text(in.string());
  uint64_t functions = in.varint(), instrumented = in.varint();
  if (in.failed() || !in.done() || functions > UINT32_MAX || instrumented > UINT32_MAX)
    return std::nullopt;
  record.functions = static_cast<uint32_t>(functions);
  record.instrumented = static_cast<uint32_t>(instrumented);
  return record;
}

}  // namespace telinject::cache_row
