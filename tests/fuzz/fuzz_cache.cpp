// libFuzzer target: the cache readers (scripts, their tests, file records, the index) fed
// damaged and forged entries, through a real batch run (run_pipeline, as `telinject
// instrument` runs it) that may take its decisions from them.
//
// Set-up, once: a scratch project with one Python file is instrumented with a fresh cache; the
// instrumented text is the expected one, and the cache's entries are the genuine ones.
// Each input: the file is put back as it was, every entry is written back, then the input's
// sections (separated by lines "%%") replace the entries in order (sorted by path: files/…,
// metadata/cache_index.json, scripts/…, tests/…; TELINJECT_FUZZ_VERBOSE=1 lists them), and the
// run is made again. A section "=" keeps the genuine entry; one starting with "!" is written
// as it is (that byte dropped); otherwise, as a forger would, "$KEY" in it becomes the genuine
// entry's key,
// "$INPUT" and "$OUTPUT" the SHA-256 of the file before and after instrumentation, and when it
// is a JSON object with a "checksum" field the checksum is made right.
//
// Property: whatever the entries hold, the run does not crash and the file ends up exactly
// the expected instrumented text, or, when a file record let the run skip the file, as it was
// with the run reporting no functions (a forged record can at worst claim the file has none:
// docs/reliability.md).
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
  fs::path path;
  std::string genuine;
  std::string key;  // the "key" (scripts, records) or "script_key" (tests) it holds
};

fs::path project, source_file, cache_dir;
std::string expected, input_sha, output_sha;
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
  return run_pipeline(options, &cache);
}

void replace_all(std::string& text, std::string_view from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

// What a forger would write for `section` at `entry`.
std::string forged(std::string section, const Entry& entry) {
  if (section == "=") return entry.genuine;
  if (!section.empty() && section[0] == '!') return section.substr(1);
  replace_all(section, "$KEY", entry.key);
  replace_all(section, "$INPUT", input_sha);
  replace_all(section, "$OUTPUT", output_sha);
  nlohmann::json body = nlohmann::json::parse(section, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("checksum")) return section;
  body.erase("checksum");
  std::string checksum = sha256_hex(body.dump());
  body["checksum"] = checksum;
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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
  for (const auto& item : fs::recursive_directory_iterator(cache_dir, ec)) {
    if (!item.is_regular_file()) continue;
    fs::path relative = item.path().lexically_relative(cache_dir);
    if (relative == ".gitignore" || relative == "metadata/lock") continue;
    Entry entry{item.path(), read(item.path()), {}};
    nlohmann::json body = nlohmann::json::parse(entry.genuine, nullptr, false);
    if (body.is_object())
      for (const char* field : {"key", "script_key"})
        if (body.contains(field) && body[field].is_string()) entry.key = body[field];
    entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.path < b.path; });
  if (std::getenv("TELINJECT_FUZZ_VERBOSE"))
    for (const Entry& entry : entries) std::fprintf(stderr, "entry: %s\n", entry.path.c_str());
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
  for (size_t i = 0; i < entries.size(); ++i)
    write(entries[i].path,
          i < sections.size() ? forged(sections[i], entries[i]) : entries[i].genuine);

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
  ScriptCache reader(cache_dir, ScriptCache::Access::kReadOnly);
  (void)reader.stats();
  return 0;
}
