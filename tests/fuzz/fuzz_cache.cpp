// libFuzzer target: the cache's reader (scripts, their tests, file records, the store file
// itself) fed damaged and forged entries, through a real batch run (run_pipeline, as `telinject
// instrument` runs it) that may take its decisions from them.
//
// Set-up, once: a scratch project with one Python file is instrumented with a fresh cache; the
// instrumented text is the expected one, and the store's rows are the genuine ones.
// Each input: the file is put back as it was, the genuine store file is written back, then the
// input's sections (separated by lines "%%") replace, in order, the file records (by key), the
// store file itself, then the scripts (by their exported name <name>_<hash8>;
// TELINJECT_FUZZ_VERBOSE=1 lists them), and the run is made again.
// A section "=" keeps the genuine entry. For a row, one starting with "!" is stored as it is
// (that byte dropped); otherwise, as a forger would, the section is a JSON object whose fields
// replace the genuine entry's (a script: "function", "qualified_name", "profile", "origin",
// "insertions" [{"row","column","text"}], "test" {"input_sha256","expected_sha256","checks"} or
// null; a file record: "input_sha256", "output_sha256", "functions", "instrumented"), with
// "$INPUT" and "$OUTPUT" standing for the SHA-256 of the file before and after instrumentation,
// and the row is encoded as telinject encodes it (core/cache_row.h), checksum made right. For
// the store file, "!BYTES" replaces it whole, "truncate:N" cuts it to N bytes, "at:N:BYTES"
// writes BYTES at offset N (the schema version is at 60, the page count at 28), anything else is
// written at offset 0.
//
// Property: whatever the store holds, the run does not crash and the file ends up exactly
// the expected instrumented text, or, when a file record let the run skip the file, as it was
// with the run reporting no functions (a forged record can at worst claim the file has none:
// docs/reliability.md).
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cache_row.h"
#include "pipeline.h"
#include "script_cache.h"
#include "sha256.h"

namespace {

namespace fs = std::filesystem;
using namespace telinject;

constexpr const char* kSource =
    "import os\n\n\ndef outer(a):\n    def inner(b):\n        return a + b\n"
    "    return inner(1)\n\n\nclass C:\n    def method(self):\n        yield os.sep\n";

struct Entry {
  std::string table;     // "files", "scripts", or "" for the store file itself
  std::string key;       // the row's key, as telinject spells it
  std::string language;  // a script's language
  std::string genuine;   // the genuine row's bytes
  std::string label;     // for TELINJECT_FUZZ_VERBOSE
};

fs::path project, source_file, cache_dir, store;
std::string expected, input_sha, output_sha, genuine_store;
std::vector<Entry> entries;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) std::abort();
}

RunReport run_once() {
  RunOptions options;
  options.action = Action::kInstrument;
  options.paths = {source_file};
  options.config.jobs = 1;
  ScriptCache cache(cache_dir);
  cache.set_warning_handler([](std::string_view) {});  // damage is expected here
  return run_pipeline(options, &cache);
}

std::string text_field(const nlohmann::json& body, const char* name, std::string fallback) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) return fallback;
  std::string text = it->get<std::string>();
  if (text == "$INPUT") return input_sha;
  if (text == "$OUTPUT") return output_sha;
  return text;
}

uint32_t number_field(const nlohmann::json& body, const char* name, uint32_t fallback) {
  auto it = body.find(name);
  return it != body.end() && it->is_number_unsigned() ? it->get<uint32_t>() : fallback;
}

// The script row a forger would make from `body` over the genuine entry.
std::string forged_script(const nlohmann::json& body, const Entry& entry) {
  auto genuine = cache_row::decode_script(entry.genuine, entry.key, entry.language);
  if (!genuine.ok()) std::abort();
  CachedScript e = std::move(*genuine);
  InsertionScript& s = e.script;
  s.function_name = text_field(body, "function", s.function_name);
  s.qualified_name = text_field(body, "qualified_name", s.qualified_name);
  s.profile = text_field(body, "profile", s.profile);
  s.origin = text_field(body, "origin", s.origin);
  if (auto it = body.find("insertions"); it != body.end() && it->is_array()) {
    s.insertions.clear();
    for (const auto& i : *it)
      if (i.is_object())
        s.insertions.push_back(
            {number_field(i, "row", 0), number_field(i, "column", 0), text_field(i, "text", "")});
  }
  if (auto it = body.find("test"); it != body.end()) {
    if (it->is_object()) {
      ScriptTest test;
      test.input_sha256 = text_field(*it, "input_sha256", "");
      test.expected_sha256 = text_field(*it, "expected_sha256", "");
      if (auto checks = it->find("checks"); checks != it->end() && checks->is_array()) {
        test.checks.clear();
        for (const auto& check : *checks)
          if (check.is_string()) test.checks.push_back(check.get<std::string>());
      }
      e.test = test;
    } else {
      e.test.reset();
    }
  }
  return cache_row::encode_script(e);
}

// The file record a forger would make from `body` over the genuine one.
std::string forged_file(const nlohmann::json& body, const Entry& entry) {
  auto record = cache_row::decode_file(entry.genuine, entry.key);
  if (!record) std::abort();
  record->input_sha256 = text_field(body, "input_sha256", record->input_sha256);
  record->output_sha256 = text_field(body, "output_sha256", record->output_sha256);
  record->functions = number_field(body, "functions", record->functions);
  record->instrumented = number_field(body, "instrumented", record->instrumented);
  return cache_row::encode_file(entry.key, *record);
}

// What a forger would write for `section` at `entry`.
std::string forged(const std::string& section, const Entry& entry) {
  if (section == "=") return entry.genuine;
  if (!section.empty() && section[0] == '!') return section.substr(1);
  nlohmann::json body = nlohmann::json::parse(section, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return section;
  return entry.table == "scripts" ? forged_script(body, entry) : forged_file(body, entry);
}

// The rows `sql` selects, as bytes.
std::vector<std::vector<std::string>> rows(sqlite3* db, const char* sql) {
  std::vector<std::vector<std::string>> out;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) != SQLITE_OK) std::abort();
  while (sqlite3_step(statement) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(statement); ++i) {
      const void* bytes = sqlite3_column_blob(statement, i);
      row.emplace_back(bytes ? static_cast<const char*>(bytes) : "",
                       static_cast<size_t>(sqlite3_column_bytes(statement, i)));
    }
    out.push_back(std::move(row));
  }
  sqlite3_finalize(statement);
  return out;
}

// The store file's bytes after `section` (see the top) is applied to them.
std::string damaged_store(std::string bytes, const std::string& section) {
  auto number = [&](size_t from, size_t* end) {
    size_t value = 0;
    while (from < section.size() && section[from] >= '0' && section[from] <= '9' &&
           value < (1u << 30))
      value = value * 10 + static_cast<size_t>(section[from++] - '0');
    *end = from;
    return value;
  };
  size_t end = 0;
  if (section[0] == '!') {
    bytes = section.substr(1);
  } else if (section.rfind("truncate:", 0) == 0) {
    bytes.resize(std::min(bytes.size(), number(9, &end)));
  } else if (section.rfind("at:", 0) == 0) {
    size_t offset = std::min(number(3, &end), bytes.size());
    std::string patch = end < section.size() ? section.substr(end + 1) : "";
    if (offset + patch.size() > bytes.size()) bytes.resize(offset + patch.size());
    bytes.replace(offset, patch.size(), patch);
  } else {
    bytes.replace(0, std::min(section.size(), bytes.size()), section);
  }
  return bytes;
}

void remove_store() {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", ".moved-aside"})
    fs::remove(fs::path(store.string() + suffix), ec);
}

// The scratch project goes when the process ends normally (a crash leaves it to look at).
void remove_scratch() {
  std::error_code ec;
  fs::remove_all(project, ec);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::error_code ec;
  project = fs::temp_directory_path(ec) / ("telinject-fuzz-cache-" + std::to_string(getpid()));
  fs::remove_all(project, ec);
  fs::create_directories(project / ".git", ec);
  std::atexit(remove_scratch);
  source_file = project / "m.py";
  cache_dir = project / ".telemetry_cache";
  write(source_file, kSource);
  RunReport first = run_once();
  expected = read(source_file);
  if (first.files.size() != 1 || expected == kSource) {
    std::fprintf(stderr, "fuzz_cache: the set-up run did not instrument %s\n", source_file.c_str());
    std::abort();
  }
  input_sha = sha256_hex(kSource);
  output_sha = sha256_hex(expected);
  store = cache_dir / "cache.sqlite3";
  genuine_store = read(store);  // whole: the cache closed, so its -wal is empty
  sqlite3* db = nullptr;
  if (sqlite3_open(store.c_str(), &db) != SQLITE_OK) std::abort();
  for (auto& row : rows(db, "SELECT key, body FROM files ORDER BY key")) {
    std::string key = cache_row::key_text(row[0]);
    entries.push_back({"files", key, "", row[1], "files/" + key});
  }
  entries.push_back({"", "", "", "", "the store file"});
  std::vector<Entry> scripts;
  for (auto& row : rows(db, "SELECT key, language, body FROM scripts")) {
    std::string key = cache_row::key_text(row[0]);
    auto script = cache_row::decode_script(row[2], key, row[1]);
    if (!script.ok()) std::abort();
    scripts.push_back(
        {"scripts", key, row[1], row[2], script->script.function_name + "_" + key.substr(0, 8)});
  }
  sqlite3_close(db);
  std::sort(scripts.begin(), scripts.end(),
            [](const Entry& a, const Entry& b) { return a.label < b.label; });
  for (Entry& script : scripts) {
    script.label = "scripts/" + script.label;
    entries.push_back(std::move(script));
  }
  if (entries.size() != 6) {
    std::fprintf(stderr, "fuzz_cache: expected 2 records and 3 scripts, found %zu entries\n",
                 entries.size());
    std::abort();
  }
  if (std::getenv("TELINJECT_FUZZ_VERBOSE"))
    for (const Entry& entry : entries) std::fprintf(stderr, "entry: %s\n", entry.label.c_str());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (project.empty()) LLVMFuzzerInitialize(nullptr, nullptr);
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> sections;
  while (!input.empty() && sections.size() < entries.size()) {
    size_t end = input.find("\n%%\n");
    sections.emplace_back(input.substr(0, end));
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 4);
  }
  // The file's last line break ends the last section, it is not part of it.
  if (!sections.empty() && !sections.back().empty() && sections.back().back() == '\n')
    sections.back().pop_back();
  write(source_file, kSource);
  remove_store();
  write(store, genuine_store);
  sqlite3* db = nullptr;
  if (sqlite3_open(store.c_str(), &db) != SQLITE_OK) std::abort();
  std::string store_section;
  for (size_t i = 0; i < entries.size() && i < sections.size(); ++i) {
    const Entry& entry = entries[i];
    if (entry.table.empty()) {
      store_section = sections[i];
      continue;
    }
    std::string bytes = forged(sections[i], entry);
    std::string key = cache_row::key_bytes(entry.key);
    std::string sql = "UPDATE " + entry.table + " SET body=?1 WHERE key=?2";
    sqlite3_stmt* update = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &update, nullptr) != SQLITE_OK) std::abort();
    sqlite3_bind_blob(update, 1, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(update, 2, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(update) != SQLITE_DONE) std::abort();
    sqlite3_finalize(update);
  }
  sqlite3_close(db);  // the last connection: everything is in the main file again
  if (!store_section.empty() && store_section != "=")
    write(store, damaged_store(read(store), store_section));

  RunReport report = run_once();
  std::string now = read(source_file);
  bool skipped_by_record =
      now == kSource && report.files.size() == 1 && report.files[0].from_file_cache &&
      report.files[0].functions_found == 0 && report.files[0].already_instrumented == 0;
  if (now != expected && !skipped_by_record) {
    std::fprintf(stderr, "fuzz_cache: the run left the file as\n%s\n(files reported: %zu)\n",
                 now.c_str(), report.files.size());
    for (const FileOutcome& file : report.files)
      std::fprintf(stderr, "status %d: %s (from the file record: %d)\n",
                   static_cast<int>(file.status), file.message.c_str(), file.from_file_cache);
    std::abort();
  }
  if (std::getenv("TELINJECT_FUZZ_VERBOSE"))
    std::fprintf(stderr, "store set aside and rebuilt: %s\n",
                 fs::exists(store.string() + ".moved-aside") ? "yes" : "no");
  ScriptCache reader(cache_dir, ScriptCache::Access::kReadOnly);
  (void)reader.stats();
  return 0;
}
