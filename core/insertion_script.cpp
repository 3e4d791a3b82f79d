#include "insertion_script.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "sha256.h"
#include "version.h"

namespace telinject {
namespace {

using nlohmann::json;

// Appends `value` as a JSON string, escaped exactly as nlohmann::json::dump() does, so that
// checksums written here verify when read back through nlohmann.
void append_json_string(std::string& out, std::string_view value) {
  static const char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + value.size() + 2);
  out.push_back('"');
  size_t plain = 0;  // start of the run of bytes copied as they are
  for (size_t i = 0; i < value.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(value.substr(plain, i - plain));
    plain = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out.push_back(kHex[(c >> 4) & 0xf]);
        out.push_back(kHex[c & 0xf]);
    }
  }
  out.append(value.substr(plain));
  out.push_back('"');
}

// A compact JSON object written field by field, keys in sorted order (nlohmann's object order,
// which the checksum is computed over).
class ObjectWriter {
 public:
  ObjectWriter& string(std::string_view key, std::string_view value) {
    std::string json;
    append_json_string(json, value);
    return raw(key, std::move(json));
  }
  ObjectWriter& number(std::string_view key, uint64_t value) {
    return raw(key, std::to_string(value));
  }
  ObjectWriter& raw(std::string_view key, std::string json) {
    fields_.emplace_back(std::string(key), std::move(json));
    return *this;
  }
  /// The object plus a "checksum" field: the SHA-256 of the object without it.
  std::string with_checksum() {
    std::string checksum;
    append_json_string(checksum, sha256_hex(render()));
    auto at = std::find_if(fields_.begin(), fields_.end(),
                           [](const auto& field) { return field.first > "checksum"; });
    fields_.insert(at, {"checksum", std::move(checksum)});
    return render();
  }

 private:
  std::string render() const {
    std::string out = "{";
    for (const auto& [key, json] : fields_) {
      if (out.size() > 1) out.push_back(',');
      append_json_string(out, key);
      out.push_back(':');
      out += json;
    }
    return out + "}";
  }
  std::vector<std::pair<std::string, std::string>> fields_;
};

// Keys in sorted order: checksum (added last), format, function, insertions, key, language,
// origin, profile, qualified_name; within an insertion: column, row, text.
std::string script_json(const InsertionScript& s) {
  std::string insertions = "[";
  for (const auto& i : s.insertions) {
    if (insertions.size() > 1) insertions.push_back(',');
    insertions += "{\"column\":" + std::to_string(i.column) + ",\"row\":" + std::to_string(i.row) +
                  ",\"text\":";
    append_json_string(insertions, i.text);
    insertions.push_back('}');
  }
  insertions.push_back(']');
  return ObjectWriter()
      .number("format", InsertionScript::kFormatVersion)
      .string("function", s.function_name)
      .raw("insertions", insertions)
      .string("key", s.key)
      .string("language", s.language)
      .string("origin", s.origin)
      .string("profile", s.profile)
      .string("qualified_name", s.qualified_name)
      .with_checksum();
}

}  // namespace

std::string make_script_key(const std::string& language, const std::string& template_fingerprint,
                            const std::string& qualified_name, std::string_view function_text,
                            const std::string& context) {
  Sha256 hash;
  hash.add(kVersion).add(language).add(template_fingerprint).add(qualified_name);
  hash.add(function_text).add(context);
  return hash.hex();
}

Result<std::vector<TextEdit>> script_edits(const InsertionScript& script, const SourceText& source,
                                           uint32_t first_row) {
  std::vector<TextEdit> edits;
  edits.reserve(script.insertions.size());
  for (const auto& insertion : script.insertions) {
    uint32_t row = first_row + insertion.row;
    if (row >= source.row_count())
      return make_error("insertion row " + std::to_string(row + 1) + " is past the end of file");
    if (insertion.column > source.row_text(row).size())
      return make_error("insertion column past the end of row " + std::to_string(row + 1));
    edits.push_back(
        {source.row_start(row) + insertion.column, 0, source.localize_newlines(insertion.text)});
  }
  return edits;
}

Result<std::string> apply_to_function_text(const InsertionScript& script,
                                           std::string_view function_text) {
  SourceText source{std::string(function_text)};
  auto edits = script_edits(script, source, 0);
  if (!edits.ok()) return make_error(edits.error());
  std::string out;
  if (!apply_edits(source.text(), std::move(*edits), &out))
    return make_error("overlapping insertions");
  return out;
}

std::string script_to_json(const InsertionScript& script) { return script_json(script); }

Result<InsertionScript> script_from_json(std::string_view text) {
  json body = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) return make_error("not a JSON object");
  try {
    std::string checksum = body.at("checksum").get<std::string>();
    body.erase("checksum");
    if (sha256_hex(body.dump()) != checksum) return make_error("checksum mismatch");
    if (body.at("format").get<int>() != InsertionScript::kFormatVersion)
      return make_error("unknown script format");
    InsertionScript s;
    s.key = body.at("key").get<std::string>();
    s.language = body.at("language").get<std::string>();
    s.function_name = body.at("function").get<std::string>();
    s.qualified_name = body.at("qualified_name").get<std::string>();
    s.profile = body.at("profile").get<std::string>();
    s.origin = body.at("origin").get<std::string>();
    for (const auto& i : body.at("insertions"))
      s.insertions.push_back({i.at("row").get<uint32_t>(), i.at("column").get<uint32_t>(),
                              i.at("text").get<std::string>()});
    return s;
  } catch (const json::exception& e) {
    return make_error(std::string("malformed script: ") + e.what());
  }
}

Result<ScriptTest> ScriptTest::make(const InsertionScript& script, std::string_view function_text) {
  auto expected = apply_to_function_text(script, function_text);
  if (!expected.ok()) return make_error(expected.error());
  ScriptTest test;
  test.input_sha256 = sha256_hex(function_text);
  test.expected_sha256 = sha256_hex(*expected);
  return test;
}

bool ScriptTest::passes(const InsertionScript& script, std::string_view function_text) const {
  if (sha256_hex(function_text) != input_sha256) return false;
  auto replay = apply_to_function_text(script, function_text);
  return replay.ok() && sha256_hex(*replay) == expected_sha256;
}

std::string test_to_json(const ScriptTest& test, const std::string& script_key) {
  std::string checks = "[";
  for (const std::string& check : test.checks) {
    if (checks.size() > 1) checks.push_back(',');
    append_json_string(checks, check);
  }
  checks.push_back(']');
  return ObjectWriter()
      .raw("checks", checks)
      .string("expected_sha256", test.expected_sha256)
      .number("format", InsertionScript::kFormatVersion)
      .string("input_sha256", test.input_sha256)
      .string("script_key", script_key)
      .with_checksum();
}

Result<ScriptTest> test_from_json(std::string_view text, const std::string& script_key) {
  json body = json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return make_error("not a JSON object");
  try {
    std::string checksum = body.at("checksum").get<std::string>();
    body.erase("checksum");
    if (sha256_hex(body.dump()) != checksum) return make_error("checksum mismatch");
    if (body.at("script_key").get<std::string>() != script_key)
      return make_error("test belongs to another script");
    ScriptTest test;
    test.input_sha256 = body.at("input_sha256").get<std::string>();
    test.expected_sha256 = body.at("expected_sha256").get<std::string>();
    test.checks = body.at("checks").get<std::vector<std::string>>();
    return test;
  } catch (const json::exception& e) {
    return make_error(std::string("malformed test: ") + e.what());
  }
}

}  // namespace telinject
