#include "llm_language.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "atomic_file.h"
#include "insertion_script.h"
#include "script_cache.h"
#include "sha256.h"
#include "source_text.h"
#include "trace_log.h"
#include "version.h"

namespace telinject {
namespace {

LanguageTemplate entry_line(std::string header) {
  LanguageTemplate t;
  t.profile = "builtin";
  t.header = std::move(header);
  return t;
}

// A double-quoted literal, valid in every language of the table for the names we write.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// The fixed text before and after the {name} placeholder of a telemetry line.
std::pair<std::string, std::string> around_name(const LanguageTemplate& t) {
  size_t at = t.header.find("{name}");
  return {t.header.substr(0, at), t.header.substr(at + 6)};
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// True when `line` is telinject's telemetry line for some function.
bool is_telemetry_line(std::string_view line, const LanguageTemplate& t) {
  auto [before, after] = around_name(t);
  std::string text = trim(line);
  if (text.size() < before.size() + after.size() + 2 || text.rfind(before, 0) != 0 ||
      text.compare(text.size() - after.size(), after.size(), after) != 0)
    return false;
  std::string_view name(text);
  name = name.substr(before.size(), name.size() - before.size() - after.size());
  if (name.size() < 2 || name.front() != '"' || name.back() != '"') return false;
  for (size_t i = 1; i + 1 < name.size(); ++i) {
    if (name[i] == '\\')
      ++i;
    else if (name[i] == '"')
      return false;
  }
  return true;
}

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool has_word(std::string_view line, std::string_view word) {
  for (size_t at = line.find(word); at != std::string_view::npos; at = line.find(word, at + 1)) {
    bool left = at == 0 || !is_word_char(line[at - 1]);
    bool right = at + word.size() >= line.size() || !is_word_char(line[at + word.size()]);
    if (left && right) return true;
  }
  return false;
}

}  // namespace

const std::vector<LlmLanguage>& llm_languages() {
  static const std::vector<LlmLanguage> languages = {
      {"kotlin",
       {".kt"},
       "}",
       entry_line("System.err.println(\"[telinject] enter \" + {name}) // telinject")},
      {"csharp",
       {".cs"},
       "}",
       entry_line("System.Console.Error.WriteLine(\"[telinject] enter \" + {name}); // telinject")},
  };
  return languages;
}

const LlmLanguage* llm_language_for(const std::filesystem::path& path) {
  std::string extension = path.extension().string();
  for (const LlmLanguage& l : llm_languages())
    if (std::find(l.extensions.begin(), l.extensions.end(), extension) != l.extensions.end())
      return &l;
  return nullptr;
}

Result<std::vector<AnalyzedFunction>> parse_analysis(std::string_view answer, std::string_view text,
                                                     const LlmLanguage& language) {
  size_t open = answer.find('{'), close = answer.rfind('}');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return make_error("the answer is not a JSON object");
  auto json = nlohmann::json::parse(answer.substr(open, close - open + 1), nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("functions") ||
      !json["functions"].is_array())
    return make_error("the answer has no \"functions\" array");
  SourceText source{std::string(text)};
  const uint32_t lines = static_cast<uint32_t>(source.row_count());
  std::vector<AnalyzedFunction> functions;
  for (const auto& item : json["functions"]) {
    auto field = [&](const char* key) -> const nlohmann::json* {
      return item.is_object() && item.contains(key) ? &item[key] : nullptr;
    };
    const nlohmann::json *name = field("name"), *qualified = field("qualified_name"),
                         *start = field("start_line"), *body = field("body_start_line"),
                         *end = field("end_line");
    if (!name || !name->is_string() || !qualified || !qualified->is_string() || !start ||
        !start->is_number_unsigned() || !body || !body->is_number_unsigned() || !end ||
        !end->is_number_unsigned())
      return make_error(
          "a function entry lacks name, qualified_name, start_line, "
          "body_start_line or end_line: " +
          item.dump());
    AnalyzedFunction f{name->get<std::string>(), qualified->get<std::string>(),
                       start->get<uint32_t>(), body->get<uint32_t>(), end->get<uint32_t>()};
    const std::string where = f.qualified_name + " (lines " + std::to_string(f.start_line) + "-" +
                              std::to_string(f.end_line) + ")";
    if (f.name.empty() || !std::all_of(f.name.begin(), f.name.end(), [](char c) {
          return is_word_char(c) || c == '?' || c == '!' || c == '=' || c == '$';
        }))
      return make_error(where + ": '" + f.name + "' is not a function name");
    if (f.qualified_name.size() < f.name.size() ||
        f.qualified_name.compare(f.qualified_name.size() - f.name.size(), f.name.size(), f.name) !=
            0 ||
        f.qualified_name.find('"') != std::string::npos ||
        f.qualified_name.find('\\') != std::string::npos)
      return make_error(where + ": the qualified name must end with the name '" + f.name + "'");
    if (f.start_line < 1 || f.start_line >= f.body_start_line || f.body_start_line > f.end_line ||
        f.end_line > lines)
      return make_error(where + ": lines out of order or outside the file (" +
                        std::to_string(lines) + " lines; start < body start <= end expected)");
    bool named = false;
    for (uint32_t line = f.start_line; line < f.body_start_line && !named; ++line)
      named = has_word(source.row_text(line - 1), f.name);
    if (!named)
      return make_error(where + ": the name '" + f.name + "' is not on the signature's lines");
    if (trim(source.row_text(f.end_line - 1)).rfind(language.block_end, 0) != 0)
      return make_error(where + ": line " + std::to_string(f.end_line) +
                        " does not close a "
                        "function ('" +
                        language.block_end + "' expected)");
    functions.push_back(std::move(f));
  }
  std::sort(functions.begin(), functions.end(),
            [](const AnalyzedFunction& a, const AnalyzedFunction& b) {
              return a.start_line < b.start_line;
            });
  for (size_t i = 1; i < functions.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const AnalyzedFunction &a = functions[j], &b = functions[i];
      bool disjoint = b.start_line > a.end_line;
      bool nested = b.start_line >= a.body_start_line && b.end_line < a.end_line;
      if (!disjoint && !nested)
        return make_error(b.qualified_name + " overlaps " + a.qualified_name +
                          " without nesting in it");
    }
  }
  return functions;
}

TextResult process_llm_text(const std::string& input, const FileLocation& location,
                            const LlmLanguage& language, Action action, ScriptCache* cache,
                            FunctionAnalyzer* analyzer, TraceLog* trace,
                            const std::vector<std::string>* only) {
  TextResult result;
  result.output = input;
  FileOutcome& outcome = result.outcome;
  outcome.language = language.name;
  SourceText source(input);
  const LanguageTemplate& tmpl = language.telemetry;

  if (action == Action::kRemove) {
    // All of telinject's lines, or with `only` the first body line of the functions named,
    // which the analysis finds (the editor's "remove telemetry from function").
    std::vector<bool> chosen(source.row_count(), only == nullptr);
    if (only) {
      CallFailure why = CallFailure::kNone;
      auto analysis =
          analyzer
              ? analyzer->analyze(source.text(), location.relative.generic_string(), language, &why)
              : Result<std::vector<AnalyzedFunction>>(make_error(
                    language.name + ": removing one function's telemetry needs the LLM"));
      if (!analysis.ok()) {
        outcome.status = FileOutcome::Status::kError;
        outcome.message = analysis.error();
        return result;
      }
      for (const AnalyzedFunction& f : *analysis)
        if (std::find(only->begin(), only->end(), f.qualified_name) != only->end())
          chosen[f.body_start_line - 1] = true;
    }
    std::vector<TextEdit> edits;
    for (uint32_t row = 0; row < source.row_count(); ++row) {
      if (!chosen[row] || !is_telemetry_line(source.row_text(row), tmpl)) continue;
      uint32_t begin = source.row_start(row);
      uint32_t end = row + 1 < source.row_count() ? source.row_start(row + 1)
                                                  : static_cast<uint32_t>(source.text().size());
      edits.push_back({begin, end - begin, ""});
      ++outcome.removed;
    }
    if (edits.empty()) return result;
    std::string output;
    if (!apply_edits(source.text(), std::move(edits), &output)) {
      outcome.status = FileOutcome::Status::kError;
      outcome.message = "removal edits overlap";
      return result;
    }
    result.output = source.restore(output);
    outcome.status = FileOutcome::Status::kChanged;
    return result;
  }

  if (!analyzer) {
    outcome.status = FileOutcome::Status::kSkipped;
    outcome.message = language.name +
                      ": no tree-sitter grammar in telinject and no LLM enabled "
                      "(--llm, or [llm] enabled = true in the project's config)";
    return result;
  }
  CallFailure why = CallFailure::kNone;
  auto analysis =
      analyzer->analyze(source.text(), location.relative.generic_string(), language, &why);
  if (!analysis.ok()) {
    if (why == CallFailure::kBudget) {
      outcome.status = FileOutcome::Status::kUnchanged;
      outcome.functions.push_back({"(file)", 1, 0, 1, FunctionOutcome::State::kNotDone,
                                   "not analysed: the LLM budget is spent"});
      return result;
    }
    outcome.status = FileOutcome::Status::kError;
    outcome.message = analysis.error();
    return result;
  }
  outcome.functions_found = static_cast<uint32_t>(analysis->size());

  struct Planned {
    const AnalyzedFunction* function;
    InsertionScript script;
  };
  std::vector<Planned> planned;
  for (const AnalyzedFunction& f : *analysis) {
    FunctionOutcome described;
    described.qualified_name = f.qualified_name;
    described.line = f.start_line;
    described.end_line = f.end_line;
    uint32_t body_row = f.body_start_line - 1;
    if (is_telemetry_line(source.row_text(body_row), tmpl)) {
      ++outcome.already_instrumented;
      described.state = FunctionOutcome::State::kAlreadyInstrumented;
      outcome.functions.push_back(described);
      continue;
    }
    if (body_row + 1 == f.end_line) {  // the body's first line closes it: nothing inside
      ++outcome.skipped;
      described.state = FunctionOutcome::State::kSkipped;
      described.reason = "empty body";
      outcome.functions.push_back(described);
      continue;
    }
    bool wanted = !only || std::find(only->begin(), only->end(), f.qualified_name) != only->end();
    if (action == Action::kCheck || !wanted) {
      ++outcome.uninstrumented;
      described.state = FunctionOutcome::State::kUninstrumented;
      outcome.functions.push_back(described);
      continue;
    }
    // The telemetry line goes before the body's first line, with that line's indentation.
    InsertionScript script;
    script.language = language.name;
    script.function_name = f.name;
    script.qualified_name = f.qualified_name;
    script.profile = tmpl.profile;
    script.origin = "llm";
    std::string line = render_template(tmpl.header, {{"name", quoted(f.qualified_name)}});
    script.insertions.push_back({f.body_start_line - f.start_line, 0,
                                 std::string(source.row_indent(body_row)) + line + "\n"});
    uint32_t begin = source.row_start(f.start_line - 1);
    uint32_t end = f.end_line < source.row_count() ? source.row_start(f.end_line)
                                                   : static_cast<uint32_t>(source.text().size());
    std::string_view text = std::string_view(source.text()).substr(begin, end - begin);
    script.key = make_script_key(language.name, tmpl.fingerprint(), f.qualified_name, text,
                                 std::string(source.row_indent(body_row)));
    if (cache) {
      auto hit = cache->get(language.name, f.name, script.key);
      // The line is made from the template: a hit must insert exactly what it makes now.
      if (hit && hit->script.insertions == script.insertions) {
        ++outcome.cache_hits;
      } else {
        ++outcome.cache_misses;
        (void)cache->put({script, std::nullopt});
      }
    }
    planned.push_back({&f, std::move(script)});
    described.state = FunctionOutcome::State::kInstrumented;
    outcome.functions.push_back(described);
  }
  if (action == Action::kCheck || planned.empty()) return result;

  std::vector<TextEdit> edits;
  std::vector<uint32_t> inserted_rows;
  for (const Planned& p : planned) {
    auto script_edits_result = script_edits(p.script, source, p.function->start_line - 1);
    if (!script_edits_result.ok()) {
      outcome.status = FileOutcome::Status::kError;
      outcome.message = p.function->qualified_name + ": " + script_edits_result.error();
      return result;
    }
    for (TextEdit& e : *script_edits_result) edits.push_back(std::move(e));
  }
  std::string output;
  if (!apply_edits(source.text(), std::move(edits), &output)) {
    outcome.status = FileOutcome::Status::kError;
    outcome.message = "insertions overlap";
    return result;
  }
  // Validation without a grammar: the output has one telemetry line more per function, and
  // taking out exactly the telemetry lines that were not there before gives the input back.
  SourceText after(output);
  std::string restored;
  std::vector<TextEdit> removal;
  uint32_t added = 0;
  size_t original_row = 0;
  for (uint32_t row = 0; row < after.row_count(); ++row) {
    bool same = original_row < source.row_count() &&
                after.row_text(row) == source.row_text(static_cast<uint32_t>(original_row));
    if (same) {
      ++original_row;
      continue;
    }
    if (!is_telemetry_line(after.row_text(row), tmpl)) break;
    uint32_t begin = after.row_start(row);
    uint32_t end = row + 1 < after.row_count() ? after.row_start(row + 1)
                                               : static_cast<uint32_t>(after.text().size());
    removal.push_back({begin, end - begin, ""});
    ++added;
  }
  if (added != planned.size() || !apply_edits(after.text(), std::move(removal), &restored) ||
      restored != source.text()) {
    outcome.status = FileOutcome::Status::kError;
    outcome.message =
        "instrumentation failed validation: removing the telemetry lines does not "
        "give the original text back";
    return result;
  }
  if (trace)
    trace->record(TraceLevel::kDebug, "llm_language_file",
                  {{"file", location.relative.generic_string()}, {"functions", planned.size()}});
  outcome.instrumented = static_cast<uint32_t>(planned.size());
  result.output = source.restore(output);
  outcome.status = FileOutcome::Status::kChanged;
  return result;
}

}  // namespace telinject
