#include "check_output.h"

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

#include "version.h"

namespace telinject::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* kUncovered = "TI001";
constexpr const char* kNotChecked = "TI002";

// The URI of the working directory, ending in '/', for originalUriBaseIds.
std::string working_directory_uri();

// The 1-based UTF-16 column of `byte_column` in line `line` of `text` (SARIF's default
// columnKind); the byte column + 1 when the line is not there.
uint32_t utf16_column(const std::string& text, uint32_t line, uint32_t byte_column);

std::string percent_encode(std::string_view bytes, std::string_view keep);

}  // namespace

std::vector<CheckFinding> check_findings(const RunReport& report) {
  std::vector<CheckFinding> findings;
  // report.errors repeats the files' errors as "path" or "path:line"; those are found in the
  // files, the others (scan errors, the cache) are reported on their own at the end.
  std::set<std::string> from_files;
  for (const FileOutcome& o : report.files) {
    if (o.status == FileOutcome::Status::kError) {
      findings.push_back({kNotChecked, o.path, 0, 0, o.message});
      from_files.insert(o.path.string());
    }
    for (const FunctionOutcome& f : o.functions) {
      if (f.state == FunctionOutcome::State::kUninstrumented) {
        findings.push_back(
            {kUncovered, o.path, f.line, f.column, "`" + f.qualified_name + "` has no telemetry"});
      } else if (f.state == FunctionOutcome::State::kError ||
                 f.state == FunctionOutcome::State::kNotDone) {
        std::string why = f.state == FunctionOutcome::State::kError ? "" : "LLM budget exhausted: ";
        findings.push_back({kNotChecked, o.path, f.line, f.column,
                            "`" + f.qualified_name + "`: " + why + f.reason});
        from_files.insert(o.path.string() + ":" + std::to_string(f.line));
      }
    }
  }
  for (const auto& [where, message] : report.errors)
    if (!from_files.count(where))
      findings.push_back({kNotChecked, {}, 0, 0, where + ": " + message});
  return findings;
}

namespace {

// `path` relative to the working directory when it lies below it, else absolute.
fs::path shown_path(const fs::path& path, bool* relative) {
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec).lexically_normal();
  fs::path cwd = fs::current_path(ec);
  fs::path below = ec ? fs::path() : absolute.lexically_relative(cwd);
  *relative = !below.empty() && *below.begin() != ".." && below != ".";
  return *relative ? below : absolute;
}

}  // namespace

std::string path_uri(const fs::path& path, bool* relative) {
  std::string shown = percent_encode(shown_path(path, relative).generic_string(), "/");
  return *relative ? shown : "file://" + shown;
}

std::string check_sarif(const std::vector<CheckFinding>& findings) {
  using nlohmann::json;
  json rules = json::array({
      {{"id", kUncovered},
       {"name", "FunctionWithoutTelemetry"},
       {"shortDescription", {{"text", "Function without telemetry"}}},
       {"fullDescription",
        {{"text",
          "The function has no telemetry span; run `telinject instrument` on the file, "
          "or opt the function out."}}},
       {"defaultConfiguration", {{"level", "error"}}}},
      {{"id", kNotChecked},
       {"name", "NotChecked"},
       {"shortDescription", {{"text", "File or function could not be checked"}}},
       {"fullDescription",
        {{"text",
          "telinject could not check this file or function (not UTF-8, too large, unreadable, "
          "or the LLM budget ran out); it was left as it was."}}},
       {"defaultConfiguration", {{"level", "error"}}}},
  });
  json results = json::array();
  std::string read_path, text;  // the last file read, for columns
  bool readable = false;
  for (const CheckFinding& finding : findings) {
    json result = {{"ruleId", finding.rule_id},
                   {"ruleIndex", finding.rule_id == kUncovered ? 0 : 1},
                   {"level", "error"},
                   {"message", {{"text", finding.message}}}};
    if (!finding.file.empty()) {
      bool relative = false;
      json artifact = {{"uri", path_uri(finding.file, &relative)}};
      if (relative) artifact["uriBaseId"] = "%SRCROOT%";
      json physical = {{"artifactLocation", artifact}};
      if (finding.line > 0) {
        if (finding.file.string() != read_path) {
          read_path = finding.file.string();
          std::ifstream in(finding.file, std::ios::binary);
          text.assign(std::istreambuf_iterator<char>(in), {});
          readable = static_cast<bool>(in) || in.eof();
        }
        uint32_t column = readable ? utf16_column(text, finding.line, finding.byte_column)
                                   : finding.byte_column + 1;
        physical["region"] = {{"startLine", finding.line}, {"startColumn", column}};
      }
      result["locations"] = json::array({{{"physicalLocation", physical}}});
    }
    results.push_back(std::move(result));
  }
  json log = {
      {"version", "2.1.0"},
      {"runs", json::array({{
                   {"tool",
                    {{"driver",
                      {{"name", "telinject"},
                       {"version", kVersion},
                       {"semanticVersion", kVersion},
                       {"rules", rules}}}}},
                   {"originalUriBaseIds", {{"%SRCROOT%", {{"uri", working_directory_uri()}}}}},
                   {"results", results},
               }})},
  };
  return log.dump(2, ' ', false, json::error_handler_t::replace);
}

std::string github_escape_data(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else
      out += c;
  }
  return out;
}

std::string github_escape_property(std::string_view text) {
  std::string out;
  for (char c : github_escape_data(text)) {
    if (c == ':')
      out += "%3A";
    else if (c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

void print_github_annotations(std::FILE* out, const std::vector<CheckFinding>& findings) {
  for (const CheckFinding& finding : findings) {
    std::string properties;
    if (!finding.file.empty()) {
      bool relative = false;
      properties = "file=" + github_escape_property(shown_path(finding.file, &relative).string());
      if (finding.line > 0)
        properties += ",line=" + std::to_string(finding.line) +
                      ",col=" + std::to_string(finding.byte_column + 1);
      properties += ",";
    }
    properties += "title=" + github_escape_property(finding.rule_id);
    std::fprintf(out, "::error %s::%s\n", properties.c_str(),
                 github_escape_data(finding.message).c_str());
  }
}

namespace {

std::string percent_encode(std::string_view bytes, std::string_view keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || keep.find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string working_directory_uri() {
  std::error_code ec;
  std::string cwd = fs::current_path(ec).generic_string();
  if (cwd.empty() || cwd.back() != '/') cwd += '/';
  return "file://" + percent_encode(cwd, "/");
}

uint32_t utf16_column(const std::string& text, uint32_t line, uint32_t byte_column) {
  size_t start = 0;
  for (uint32_t row = 1; row < line; ++row) {
    start = text.find('\n', start);
    if (start == std::string::npos) return byte_column + 1;
    ++start;
  }
  if (start + byte_column > text.size()) return byte_column + 1;
  uint32_t units = 0;
  for (size_t i = start; i < start + byte_column; ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if ((byte & 0xC0) == 0x80) continue;  // a continuation byte
    units += byte >= 0xF0 ? 2 : 1;        // four-byte sequences are surrogate pairs
  }
  return units + 1;
}

}  // namespace

}  // namespace telinject::cli
