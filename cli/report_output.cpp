#include "report_output.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

namespace telinject::cli {

using nlohmann::json;

namespace {

void print_summary(std::FILE* out, const RunReport& report, Action action, bool dry_run);

const char* status_name(FileOutcome::Status status) {
  switch (status) {
    case FileOutcome::Status::kUnchanged:
      return "unchanged";
    case FileOutcome::Status::kChanged:
      return "changed";
    case FileOutcome::Status::kSkipped:
      return "skipped";
    case FileOutcome::Status::kError:
      return "error";
  }
  return "unknown";
}

}  // namespace

std::string report_json(const RunReport& report, Action action, bool with_functions) {
  json errors = json::array();
  for (const auto& [file, message] : report.errors)
    errors.push_back({{"file", file}, {"message", message}});
  json skipped_files = json::array();
  for (const auto& [file, reason] : report.skipped_files)
    skipped_files.push_back({{"file", file}, {"reason", reason}});
  json not_done = json::array();
  for (const auto& [file, what] : report.not_done)
    not_done.push_back({{"file", file}, {"reason", what}});
  json files = json::array();
  json uninstrumented = json::array();
  for (const FileOutcome& o : report.files) {
    json entry = {{"file", o.path.string()},
                  {"language", o.language},
                  {"status", status_name(o.status)},
                  {"functions_found", o.functions_found},
                  {"functions_instrumented", o.instrumented},
                  {"already_instrumented", o.already_instrumented},
                  {"cache_hits", o.cache_hits},
                  {"cache_misses", o.cache_misses}};
    if (!o.message.empty()) entry["message"] = o.message;
    if (!o.diff.empty()) entry["diff"] = o.diff;
    if (with_functions) {
      json functions = json::array();
      for (const FunctionOutcome& f : o.functions) {
        json fn = {{"name", f.qualified_name}, {"line", f.line}, {"state", to_string(f.state)}};
        if (!f.reason.empty()) fn["reason"] = f.reason;
        functions.push_back(std::move(fn));
      }
      entry["functions"] = std::move(functions);
    }
    for (const FunctionOutcome& f : o.functions)
      if (f.state == FunctionOutcome::State::kUninstrumented)
        uninstrumented.push_back(
            {{"file", o.path.string()}, {"line", f.line}, {"name", f.qualified_name}});
    files.push_back(std::move(entry));
  }
  json out = {{"action", action == Action::kInstrument ? "instrument"
                         : action == Action::kRemove   ? "remove"
                                                       : "check"},
              {"files_scanned", report.files_scanned},
              {"files_changed", report.files_changed},
              {"functions_found", report.functions_found},
              {"functions_instrumented", report.functions_instrumented},
              {"already_instrumented", report.already_instrumented},
              {"functions_removed", report.functions_removed},
              {"skipped", report.functions_skipped + report.skipped_files.size()},
              {"functions_skipped", report.functions_skipped},
              {"functions_uninstrumented", report.functions_uninstrumented},
              {"cache_hits", report.cache_hits},
              {"cache_misses", report.cache_misses},
              {"errors", std::move(errors)},
              {"skipped_files", std::move(skipped_files)},
              {"runtime_files_written", report.runtime_files_written},
              {"seconds", report.seconds},
              {"llm_calls", report.llm_calls},
              {"cost_usd", report.cost_usd},
              // null: the LLM was not enabled; 0: no limit.
              {"llm_budget_usd",
               report.llm_budget_usd ? nlohmann::json(*report.llm_budget_usd) : nlohmann::json()},
              {"not_done", not_done},
              {"files", std::move(files)}};
  if (action == Action::kCheck) out["uninstrumented"] = std::move(uninstrumented);
  // File and function names need not be UTF-8: bad bytes become U+FFFD rather than a throw.
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) {
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    }
  }
  return out;
}

std::string display_path(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::path cwd = std::filesystem::current_path(ec);
  if (ec || !path.is_absolute()) return path.string();
  std::filesystem::path relative = path.lexically_normal().lexically_relative(cwd);
  if (relative.empty() || *relative.begin() == "..") return path.string();
  return relative.string();
}

void print_report(std::FILE* out, const RunReport& report, Action action, TextOptions options) {
  if (options.verbose) {
    for (const auto& [file, reason] : report.skipped_files)
      std::fprintf(out, "skip  %s: %s\n", printable(file).c_str(), printable(reason).c_str());
    for (const FileOutcome& o : report.files) {
      for (const FunctionOutcome& f : o.functions) {
        std::fprintf(out, "%-22s %s:%u %s%s%s\n", to_string(f.state),
                     printable(o.path.string()).c_str(), f.line,
                     printable(f.qualified_name).c_str(), f.reason.empty() ? "" : " — ",
                     printable(f.reason).c_str());
      }
    }
  }
  if (action == Action::kCheck) {
    for (const FileOutcome& o : report.files) {
      std::string path = printable(display_path(o.path));
      for (const FunctionOutcome& f : o.functions)
        if (f.state == FunctionOutcome::State::kUninstrumented)
          std::fprintf(out, "%s:%u:%u: TI001 `%s` has no telemetry\n", path.c_str(), f.line,
                       f.column + 1, printable(f.qualified_name).c_str());
    }
  }
  for (const FileOutcome& o : report.files)
    if (!o.diff.empty()) std::fputs(o.diff.c_str(), out);
  if (!options.quiet) print_summary(out, report, action, options.dry_run);
  for (const auto& [file, what] : report.not_done)
    std::fprintf(out, "not done (budget): %s: %s\n", printable(file).c_str(),
                 printable(what).c_str());
  for (const auto& [file, message] : report.errors)
    std::fprintf(stderr, "error: %s: %s\n", printable(file).c_str(), printable(message).c_str());
}

namespace {

void print_summary(std::FILE* out, const RunReport& report, Action action, bool dry_run) {
  std::fprintf(out, "%llu files scanned, %llu changed",
               static_cast<unsigned long long>(report.files_scanned),
               static_cast<unsigned long long>(report.files_changed));
  // Files left whole (not UTF-8, too large, opted out…): -v and --format json say why.
  if (!report.skipped_files.empty())
    std::fprintf(out, ", %zu skipped (-v says why)", report.skipped_files.size());
  std::fprintf(out, "; %llu functions: ", static_cast<unsigned long long>(report.functions_found));
  switch (action) {
    case Action::kInstrument:
      std::fprintf(out, "%llu instrumented, %llu already, %llu skipped",
                   static_cast<unsigned long long>(report.functions_instrumented),
                   static_cast<unsigned long long>(report.already_instrumented),
                   static_cast<unsigned long long>(report.functions_skipped));
      break;
    case Action::kRemove:
      std::fprintf(out, "%llu had telemetry removed",
                   static_cast<unsigned long long>(report.functions_removed));
      break;
    case Action::kCheck:
      std::fprintf(out, "%llu without telemetry, %llu with, %llu skipped",
                   static_cast<unsigned long long>(report.functions_uninstrumented),
                   static_cast<unsigned long long>(report.already_instrumented),
                   static_cast<unsigned long long>(report.functions_skipped));
      break;
  }
  std::fprintf(out, "; cache %llu hits, %llu misses; %zu errors; %.2f s\n",
               static_cast<unsigned long long>(report.cache_hits),
               static_cast<unsigned long long>(report.cache_misses), report.errors.size(),
               report.seconds);
  if (dry_run && action != Action::kCheck) std::fputs("dry run: no file was written\n", out);
  if (report.llm_budget_usd && *report.llm_budget_usd > 0)
    std::fprintf(out, "LLM: %llu calls, $%.4f of the $%.2f budget\n",
                 static_cast<unsigned long long>(report.llm_calls), report.cost_usd,
                 *report.llm_budget_usd);
  else if (report.llm_budget_usd)
    std::fprintf(out, "LLM: %llu calls, $%.4f (no budget limit)\n",
                 static_cast<unsigned long long>(report.llm_calls), report.cost_usd);
}

}  // namespace

void explain_llm_not_enabled(std::FILE* err, const RunReport& report) {
  size_t without_grammar = 0;
  for (const auto& [file, reason] : report.skipped_files)
    without_grammar += reason.find("no LLM enabled") != std::string::npos;
  if (without_grammar == 0 && report.errors.empty()) return;
  std::string left = without_grammar ? std::to_string(without_grammar) +
                                           (without_grammar == 1 ? " file" : " files") +
                                           " without a grammar skipped"
                                     : "failing scripts not repaired";
  std::fprintf(err,
               "telinject: an LLM is configured but not enabled, so no call was made (%s); to "
               "use it, pass --llm or set `[llm] enabled = true` in .telinject.toml (each run "
               "spends at most $%.2f unless --budget says otherwise)\n",
               left.c_str(), kDefaultLlmBudgetUsd);
}

void warn_nothing_to_process(std::FILE* err, const std::vector<std::string>& paths,
                             const RunReport& report) {
  std::string scanned;
  for (const std::string& path : paths) scanned += (scanned.empty() ? "'" : ", '") + path + "'";
  // Reasons without their details ("over size limit (3000000 bytes)" counts as "over size
  // limit"), most frequent first.
  std::map<std::string, size_t> counts;
  for (const auto& [file, reason] : report.skipped_files)
    ++counts[reason.substr(0, reason.find(" ("))];
  std::vector<std::pair<std::string, size_t>> ordered(counts.begin(), counts.end());
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string why;
  for (const auto& [reason, count] : ordered)
    why += (why.empty() ? "" : ", ") + std::to_string(count) + " " + reason;
  if (why.empty())
    std::fprintf(err,
                 "telinject: warning: no file to process in %s: no file of a supported "
                 "language was found\n",
                 scanned.c_str());
  else
    std::fprintf(err,
                 "telinject: warning: no file to process in %s: %zu skipped (%s); -v lists "
                 "them\n",
                 scanned.c_str(), report.skipped_files.size(), why.c_str());
}

}  // namespace telinject::cli
