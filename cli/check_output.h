// How `check` reports to CI: SARIF 2.1.0 for code-scanning tools and GitHub workflow-command
// annotations. The text and JSON outputs are in report_output.h.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline.h"

namespace telinject::cli {

/// One thing `check` reports. Rules: TI001 a function without telemetry; TI002 a file or a
/// function that could not be checked (an error, or work the LLM budget left undone).
struct CheckFinding {
  std::string rule_id;
  std::filesystem::path file;  // empty: the finding has no file (a directory that cannot be read)
  uint32_t line = 0;           // 1-based; 0: the whole file
  uint32_t byte_column = 0;    // 0-based byte column in its line
  std::string message;
};

/// The findings of a check run, file by file in report order: each uninstrumented function
/// (TI001), each file or function in error or not done (TI002), then the errors that belong to
/// no checked file (scan errors, the cache) as TI002 findings without a location.
std::vector<CheckFinding> check_findings(const RunReport& report);

/// `check --format sarif`: one SARIF 2.1.0 log with one run. Result locations are URIs relative
/// to the working directory with uriBaseId "%SRCROOT%" (the working directory, given in
/// originalUriBaseIds), or absolute file URIs for files outside it; regions have a 1-based
/// startLine and a 1-based startColumn in UTF-16 code units (SARIF's default column kind),
/// computed from the file's line (the byte column when the file cannot be read again). Text that
/// is not valid UTF-8 has its bad bytes replaced by U+FFFD.
std::string check_sarif(const std::vector<CheckFinding>& findings);

/// `check --format github`: one `::error file=…,line=…,col=…,title=TIxxx::message` line per
/// finding (col is the 1-based byte column, as in the text output), escaped as GitHub's
/// workflow commands require, so that no file name or message can end or forge a command.
void print_github_annotations(std::FILE* out, const std::vector<CheckFinding>& findings);

/// A workflow command's message: `%`, CR and LF percent-encoded.
std::string github_escape_data(std::string_view text);
/// A workflow command's property value: as github_escape_data, and `:` and `,` too.
std::string github_escape_property(std::string_view text);

/// `path` relative to the working directory as a URI reference (RFC 3986; every byte but the
/// unreserved ones and `/` percent-encoded, so `a:b.py` cannot read as a scheme); `relative` says
/// whether it is relative, else it is an absolute `file://` URI.
std::string path_uri(const std::filesystem::path& path, bool* relative);

}  // namespace telinject::cli
