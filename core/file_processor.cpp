// process_text: one file's text through extract → script → validate → reconstruct.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <memory>

#include "external_check.h"
#include "glob.h"
#include "llm/answer_script.h"
#include "llm/file_instrumenter.h"
#include "llm/repair.h"
#include "pipeline.h"
#include "script_cache.h"
#include "syntax_tree.h"
#include "trace_log.h"

namespace telinject {
namespace {

std::string function_text(const SourceText& source, const FunctionInfo& f) {
  uint32_t begin = source.row_start(f.start_row);
  return source.text().substr(begin, f.end_byte - begin);
}

// The enclosing functions of `index` that are instrumented in this pass, outermost first.
std::vector<size_t> wrapped_ancestors(const std::vector<FunctionInfo>& functions,
                                      const std::vector<bool>& selected, size_t index) {
  std::vector<size_t> chain;
  for (int p = functions[index].parent; p >= 0; p = functions[p].parent)
    if (selected[p]) chain.push_back(static_cast<size_t>(p));
  std::reverse(chain.begin(), chain.end());
  return chain;
}

struct Parsed {
  SourceText source;
  SyntaxTree tree;
  std::vector<FunctionInfo> functions;
  std::string module;
  FileLocation location;
  /// The tree came from the caller (an editor's document): validation re-parses the result
  /// incrementally from it, which is much cheaper than a whole parse for one function's edits.
  bool incremental = false;

  ParsedSource view() const { return {source, tree.root(), module, location}; }
};

// Parses `source` (or takes `tree`, its parse, when given) and extracts its functions.
Result<std::unique_ptr<Parsed>> parse_and_extract(SourceText source, const FileLocation& location,
                                                  const LanguageSupport& language,
                                                  const std::vector<LanguageTemplate>& known,
                                                  Result<SyntaxTree> tree) {
  auto parsed = std::make_unique<Parsed>();
  parsed->source = std::move(source);
  parsed->module = language.module_name(location.relative);
  parsed->location = location;
  if (!tree.ok()) return make_error(tree.error());
  parsed->tree = std::move(*tree);
  parsed->functions = language.extract(parsed->view(), known);
  return parsed;
}

Result<std::unique_ptr<Parsed>> parse_and_extract(SourceText source, const FileLocation& location,
                                                  const LanguageSupport& language,
                                                  const std::vector<LanguageTemplate>& known) {
  auto tree = SyntaxTree::parse(language.grammar(), source.text());
  return parse_and_extract(std::move(source), location, language, known, std::move(tree));
}

// The edits that turn `original` into `output` as tree-sitter takes them: each relative to the
// text the ones before it left. `edits` are sorted by offset and do not overlap.
std::vector<TSInputEdit> input_edits(const std::string& original, const SourceText& output,
                                     const std::vector<TextEdit>& edits) {
  auto point = [&](uint32_t offset) {
    uint32_t row = output.row_of(offset);
    return TSPoint{row, offset - output.row_start(row)};
  };
  std::vector<TSInputEdit> out;
  int64_t delta = 0;
  for (const TextEdit& e : edits) {
    TSInputEdit in{};
    in.start_byte = static_cast<uint32_t>(e.offset + delta);
    in.old_end_byte = in.start_byte + e.remove_length;
    in.new_end_byte = in.start_byte + static_cast<uint32_t>(e.insert.size());
    in.start_point = point(in.start_byte);
    in.old_end_point = in.start_point;
    for (uint32_t i = 0; i < e.remove_length; ++i) {
      if (original[e.offset + i] == '\n') {
        ++in.old_end_point.row;
        in.old_end_point.column = 0;
      } else {
        ++in.old_end_point.column;
      }
    }
    in.new_end_point = point(in.new_end_byte);
    delta += static_cast<int64_t>(e.insert.size()) - e.remove_length;
    out.push_back(in);
  }
  return out;
}

// Checks `output` against `original`: it parses with no new errors, the functions in `added`
// carry telemetry and every other keeps its state, and removing the added telemetry gives the
// original bytes back. Returns the reason on failure.
Result<void> validate_instrumented(const Parsed& original, const std::string& output,
                                   const std::vector<TextEdit>& edits,
                                   const std::vector<size_t>& added,
                                   const LanguageSupport& language,
                                   const std::vector<LanguageTemplate>& known) {
  SourceText source(output);
  Result<SyntaxTree> tree =
      original.incremental
          ? SyntaxTree::reparse(language.grammar(), original.tree,
                                input_edits(original.source.text(), source, edits), source.text())
          : SyntaxTree::parse(language.grammar(), source.text());
  auto result = parse_and_extract(std::move(source), original.location, language, known, std::move(tree));
  if (!result.ok()) return make_error(result.error());
  const Parsed& after = **result;
  uint32_t errors_before = original.tree.error_count();
  uint32_t errors_after = after.tree.error_count();
  if (errors_after > errors_before)
    return make_error("instrumented code does not parse (" + std::to_string(errors_after) +
                      " syntax errors, " + std::to_string(errors_before) + " before)");
  if (after.functions.size() != original.functions.size())
    return make_error("instrumented code has " + std::to_string(after.functions.size()) +
                      " functions instead of " + std::to_string(original.functions.size()));
  std::vector<bool> is_added(original.functions.size(), false);
  for (size_t i : added) is_added[i] = true;
  for (size_t i = 0; i < after.functions.size(); ++i) {
    FunctionState expected = is_added[i] ? FunctionState::kInstrumented
                                         : original.functions[i].state;
    // Filters from the config are not re-applied to `after`; they only skip functions that
    // stay uninstrumented.
    FunctionState actual = after.functions[i].state;
    if (expected == FunctionState::kSkipped && actual == FunctionState::kUninstrumented)
      continue;
    if (actual != expected)
      return make_error(original.functions[i].qualified_name + " is " + to_string(actual) +
                        " after instrumentation, expected " + to_string(expected));
  }
  auto removal = language.remove(after.view(), after.functions,
                                 added, known);
  if (!removal.ok()) return make_error("telemetry cannot be removed again: " + removal.error());
  std::string restored;
  if (!apply_edits(after.source.text(), std::move(*removal), &restored) ||
      restored != original.source.text())
    return make_error("removing the telemetry does not restore the original text");
  return {};
}

struct Candidate {
  size_t index;
  InsertionScript script;
  bool from_cache;
};

// The instrumented text; `applied` gets the edits, sorted by offset.
Result<std::string> reconstruct(const Parsed& parsed, const std::vector<Candidate>& candidates,
                                const LanguageSupport& language, const LanguageTemplate& tmpl,
                                std::vector<TextEdit>* applied) {
  std::vector<TextEdit> edits;
  for (const Candidate& c : candidates) {
    auto script = script_edits(c.script, parsed.source, parsed.functions[c.index].start_row);
    if (!script.ok()) return make_error(parsed.functions[c.index].qualified_name + ": " + script.error());
    for (TextEdit& e : *script) edits.push_back(std::move(e));
  }
  if (!candidates.empty()) {
    auto import = language.add_import(parsed.view(), tmpl);
    if (import) edits.push_back(std::move(*import));
  }
  std::stable_sort(edits.begin(), edits.end(),
                   [](const TextEdit& a, const TextEdit& b) { return a.offset < b.offset; });
  *applied = edits;
  std::string output;
  if (!apply_edits(parsed.source.text(), std::move(edits), &output))
    return make_error("insertions overlap");
  return output;
}

// How `check` reports a function.
const char* check_state(const FunctionInfo& f) {
  switch (f.state) {
    case FunctionState::kInstrumented: return "already_instrumented";
    case FunctionState::kUninstrumented: return "uninstrumented";
    case FunctionState::kOptedOut: return "opted_out";
    case FunctionState::kSkipped: return "skipped";
  }
  return "skipped";
}

FunctionOutcome describe(const FunctionInfo& f, const std::string& state) {
  return {f.qualified_name, f.name_row + 1, f.name_column, f.end_row + 1, state, f.reason};
}

// The state of one instrument pass that the LLM steps read and update.
struct InstrumentPass {
  const Parsed& parsed;
  const LanguageSupport& language;
  const LanguageTemplate& tmpl;
  const std::vector<LanguageTemplate>& templates;
  const FileLocation& location;
  ScriptCache* cache;
  TraceLog* trace;
  FileOutcome& outcome;
  std::vector<bool>& selected;
  std::vector<Candidate>& candidates;
  std::vector<std::string>& failures;  // per function: why it failed
  std::vector<std::string>& not_done;  // per function: left undone for the budget
  std::vector<std::string>& notes;     // per function: why a selected one was left alone
};

// --mode llm: the outermost selected functions go to the LLM in one whole-file request (or
// one per function when the file is too large); functions nested in them wait for the next
// run (their layout depends on the answer). Adds the validated scripts to the candidates.
void plan_with_llm(InstrumentPass& pass, llm::FileInstrumenter& instrumenter) {
  const Parsed& parsed = pass.parsed;
  const std::vector<FunctionInfo>& functions = parsed.functions;
  const LanguageSupport& language = pass.language;
  const LanguageTemplate& tmpl = pass.tmpl;
  const std::vector<LanguageTemplate>* templates = &pass.templates;
  const FileLocation& location = pass.location;
  ScriptCache* cache = pass.cache;
  FileOutcome& outcome = pass.outcome;
  std::vector<Candidate>& candidates = pass.candidates;
  std::vector<std::string>& failures = pass.failures;
  std::vector<std::string>& not_done = pass.not_done;
  const std::string language_name(language.name());
  ParsedSource file = parsed.view();
  std::vector<bool>& selected = pass.selected;
  std::vector<std::string>& notes = pass.notes;
  // --mode llm: the outermost selected functions go to the LLM in one whole-file request;
  // functions nested in them wait for the next run (their layout depends on the answer).
  llm::FileTask task;
  task.language = language_name;
  task.file = location.relative.generic_string();
  task.text = parsed.source.text();
  task.tmpl = &tmpl;
  std::map<size_t, std::string> keys;
  std::map<size_t, std::vector<Insertion>> own_scripts;
  for (size_t i = 0; i < functions.size(); ++i) {
    if (!selected[i]) continue;
    bool nested = false;
    for (int p = functions[i].parent; p >= 0 && !nested; p = functions[p].parent) nested = selected[p];
    const FunctionInfo& f = functions[i];
    if (nested) {
      notes[i] = "nested in a function instrumented by the LLM in this run; run again";
      continue;
    }
    // The language decides where telemetry goes; a function it cannot place is not sent.
    auto placed = language.instrument(file, functions, i, tmpl, {});
    if (!placed.ok()) {
      failures[i] = placed.error();
      notes[i] = placed.error();
      continue;
    }
    own_scripts[i] = std::move(placed->insertions);
    task.targets.push_back({i, f.qualified_name, f.name, f.kind, f.start_row, f.end_row});
    keys[i] = make_script_key(language_name, tmpl.fingerprint(), f.qualified_name,
                              function_text(parsed.source, f),
                              language.script_context(file, functions, i, {}) + "\nllm-mode");
  }
  for (size_t i = 0; i < functions.size(); ++i)
    if (!notes[i].empty()) selected[i] = false;
  auto validate_set = [&](const llm::FileScripts& scripts) -> Result<void> {
    std::vector<Candidate> trial;
    std::vector<size_t> added;
    for (const auto& [index, script] : scripts) {
      const FunctionInfo& f = functions[index];
      auto safe = llm::check_telemetry_only(script.insertions, tmpl, f.qualified_name, f.name, f.kind);
      if (!safe.ok()) return safe;
      auto placed = llm::check_same_place(script.insertions, own_scripts[index]);
      if (!placed.ok()) return make_error(f.qualified_name + ": " + placed.error());
      trial.push_back({index, script, false});
      added.push_back(index);
    }
    std::vector<TextEdit> edits;
    auto rebuilt = reconstruct(parsed, trial, language, tmpl, &edits);
    if (!rebuilt.ok()) return make_error(rebuilt.error());
    return validate_instrumented(parsed, *rebuilt, edits, added, language, *templates);
  };
  llm::FileScripts cached;
  if (cache) {
    for (const llm::TargetFunction& t : task.targets) {
      auto hit = cache->get(language_name, t.name, keys[t.index]);
      std::string text = function_text(parsed.source, functions[t.index]);
      if (hit && hit->script.origin == "llm" && hit->test.passes(hit->script, text))
        cached[t.index] = std::move(hit->script);
    }
  }
  if (!task.targets.empty() && cached.size() == task.targets.size() && validate_set(cached).ok()) {
    for (auto& [index, script] : cached) {
      ++outcome.cache_hits;
      candidates.push_back({index, std::move(script), true});
    }
  } else if (!task.targets.empty()) {
    // A file too large for one request goes function by function (each function's text with
    // rows counted from its first).
    std::vector<llm::FileTask> tasks;
    if (instrumenter.fits(task)) {
      tasks.push_back(task);
    } else {
      for (const llm::TargetFunction& t : task.targets) {
        llm::FileTask part = task;
        part.text = function_text(parsed.source, functions[t.index]);
        part.targets = {t};
        part.targets[0].start_row = 0;
        part.targets[0].end_row = t.end_row - t.start_row;
        tasks.push_back(std::move(part));
      }
    }
    llm::CallFailure why = llm::CallFailure::kNone;
    llm::FileScripts all;
    std::map<size_t, std::string> errors;
    std::set<size_t> over_budget;
    for (const llm::FileTask& part : tasks) {
      // Once the budget refused a call, the remaining parts are not tried.
      auto got = why == llm::CallFailure::kBudget
                     ? Result<llm::FileScripts>(make_error("the LLM budget is spent"))
                     : instrumenter.instrument(part, validate_set, &why);
      if (got.ok()) {
        all.merge(*got);
        continue;
      }
      for (const llm::TargetFunction& t : part.targets) {
        errors[t.index] = got.error();
        if (why == llm::CallFailure::kBudget) over_budget.insert(t.index);
      }
    }
    for (const llm::TargetFunction& t : task.targets) {
      auto it = all.find(t.index);
      if (it != all.end()) {
        it->second.key = keys[t.index];
        ++outcome.cache_misses;
        candidates.push_back({t.index, std::move(it->second), false});
        continue;
      }
      selected[t.index] = false;
      if (!errors.count(t.index)) notes[t.index] = "the LLM left it without telemetry";
      else if (over_budget.count(t.index)) not_done[t.index] = "not instrumented: the LLM budget is spent";
      else failures[t.index] = errors[t.index];
    }
  }
}

// Self-healing: a function whose own script failed validation gets a fix from the cache
// (made by the LLM in an earlier run) or from the LLM. Only functions with no enclosing
// function instrumented or failing in this pass: their layout is the file's own. Returns
// which functions were repaired; their scripts are added to the candidates.
std::vector<bool> repair_failed_scripts(InstrumentPass& pass, llm::ScriptRepairer* repairer) {
  const Parsed& parsed = pass.parsed;
  const std::vector<FunctionInfo>& functions = parsed.functions;
  const LanguageSupport& language = pass.language;
  const LanguageTemplate& tmpl = pass.tmpl;
  const std::vector<LanguageTemplate>* templates = &pass.templates;
  const FileLocation& location = pass.location;
  ScriptCache* cache = pass.cache;
  FileOutcome& outcome = pass.outcome;
  std::vector<Candidate>& candidates = pass.candidates;
  std::vector<std::string>& failures = pass.failures;
  std::vector<std::string>& not_done = pass.not_done;
  const std::string language_name(language.name());
  ParsedSource file = parsed.view();
  TraceLog* trace = pass.trace;
  std::vector<bool> repaired(functions.size(), false);
  const std::string kScriptFailed = "script failed validation: ";
  for (size_t i = 0; i < functions.size() && (repairer || cache); ++i) {
    if (failures[i].rfind(kScriptFailed, 0) != 0) continue;
    bool nested = false;
    for (int p = functions[i].parent; p >= 0 && !nested; p = functions[p].parent)
      nested = !failures[p].empty() || repaired[p] ||
               std::any_of(candidates.begin(), candidates.end(),
                           [p](const Candidate& c) { return c.index == static_cast<size_t>(p); });
    if (nested) continue;
    const FunctionInfo& f = functions[i];
    std::string text = function_text(parsed.source, f);
    std::string key = make_script_key(language_name, tmpl.fingerprint(), f.qualified_name, text,
                                      language.script_context(file, functions, i, {}) + "\nllm-repair");
    // The LLM's script must be telemetry only, where the language's own script puts it, and
    // validate with every script kept so far.
    auto own = language.instrument(file, functions, i, tmpl, {});
    if (!own.ok()) continue;
    auto validate = [&](const InsertionScript& script) -> Result<void> {
      auto safe = llm::check_telemetry_only(script.insertions, tmpl, f.qualified_name, f.name, f.kind);
      if (!safe.ok()) return safe;
      auto placed = llm::check_same_place(script.insertions, own->insertions);
      if (!placed.ok()) return placed;
      std::vector<Candidate> trial = candidates;
      trial.push_back({i, script, false});
      std::vector<TextEdit> edits;
      auto rebuilt = reconstruct(parsed, trial, language, tmpl, &edits);
      if (!rebuilt.ok()) return make_error(rebuilt.error());
      std::vector<size_t> added;
      for (const Candidate& c : trial) added.push_back(c.index);
      return validate_instrumented(parsed, *rebuilt, edits, added, language, *templates);
    };
    if (cache) {
      auto hit = cache->get(language_name, f.name, key);
      if (hit && hit->script.origin == "llm" && hit->test.passes(hit->script, text) &&
          validate(hit->script).ok()) {
        ++outcome.cache_hits;
        candidates.push_back({i, std::move(hit->script), true});
        repaired[i] = true;
        failures[i].clear();
        continue;
      }
    }
    if (!repairer) continue;
    llm::RepairTask task;
    task.language = language_name;
    task.file = location.relative.generic_string();
    task.qualified_name = f.qualified_name;
    task.name = f.name;
    task.kind = f.kind;
    task.function_text = text;
    task.tmpl = &tmpl;
    task.failure = failures[i].substr(kScriptFailed.size());
    if (auto applied = apply_to_function_text(*own, text); applied.ok())
      task.failed_output = std::move(*applied);
    llm::CallFailure why = llm::CallFailure::kNone;
    auto fixed = repairer->repair(task, validate, &why);
    if (trace)
      trace->record(fixed.ok() ? TraceLevel::kInfo : TraceLevel::kWarning, "llm_repair",
                    {{"file", task.file}, {"function", f.qualified_name},
                     {"outcome", fixed.ok() ? "fixed" : why == llm::CallFailure::kBudget ? "budget" : "failed"},
                     {"error", fixed.ok() ? "" : fixed.error()}});
    if (fixed.ok()) {
      fixed->key = key;
      ++outcome.cache_misses;
      candidates.push_back({i, std::move(*fixed), false});
      repaired[i] = true;
      failures[i].clear();
    } else if (why == llm::CallFailure::kBudget) {
      not_done[i] = "not repaired: the LLM budget is spent (" + failures[i] + ")";
      failures[i].clear();
    } else {
      failures[i] += "; " + fixed.error();
    }
  }
  return repaired;
}

}  // namespace

void apply_config_filters(std::vector<FunctionInfo>& functions, const Config& config) {
  for (FunctionInfo& f : functions) {
    if (f.state != FunctionState::kUninstrumented) continue;
    for (const std::string& pattern : config.exclude_functions) {
      if (name_glob_match(pattern, f.qualified_name)) {
        f.state = FunctionState::kSkipped;
        f.reason = "excluded by exclude_functions (" + pattern + ")";
        break;
      }
    }
    if (f.state == FunctionState::kUninstrumented && config.min_function_lines > 0 &&
        f.end_row - f.start_row + 1 < config.min_function_lines) {
      f.state = FunctionState::kSkipped;
      f.reason = "shorter than min_function_lines";
    }
  }
}

std::vector<FunctionOutcome> check_parsed(const std::string& text, TSNode root,
                                          const FileLocation& location,
                                          const LanguageSupport& language, const Config& config) {
  std::vector<FunctionOutcome> out;
  auto templates = templates_for(language, config);
  if (!templates.ok()) return out;
  SourceText source(text);
  std::vector<FunctionInfo> functions =
      language.extract({source, root, language.module_name(location.relative), location},
                       *templates);
  apply_config_filters(functions, config);
  for (const FunctionInfo& f : functions) out.push_back(describe(f, check_state(f)));
  return out;
}

Result<std::vector<LanguageTemplate>> templates_for(const LanguageSupport& language,
                                                    const Config& config) {
  std::vector<LanguageTemplate> all = language.builtin_templates();
  for (const auto& [profile, by_language] : config.templates) {
    auto it = by_language.find(std::string(language.name()));
    if (it == by_language.end()) continue;
    LanguageTemplate user = it->second;
    user.profile = profile;
    auto same = std::find_if(all.begin(), all.end(),
                             [&](const LanguageTemplate& t) { return t.profile == profile; });
    if (same != all.end()) *same = user; else all.push_back(user);
  }
  auto chosen = std::find_if(all.begin(), all.end(),
                             [&](const LanguageTemplate& t) { return t.profile == config.profile; });
  if (chosen == all.end())
    return make_error("profile '" + config.profile + "' has no template for " +
                      std::string(language.name()));
  std::rotate(all.begin(), chosen, chosen + 1);
  return all;
}

TextResult process_text(const std::string& input, const FileLocation& location,
                        const LanguageSupport& language, Action action, const Config& config,
                        ScriptCache* cache, TraceLog* trace,
                        const std::vector<std::string>* only, LlmHooks hooks,
                        const SyntaxTree* tree) {
  llm::ScriptRepairer* repairer = hooks.repairer;
  TextResult result;
  result.output = input;
  FileOutcome& outcome = result.outcome;
  outcome.language = std::string(language.name());

  auto templates = templates_for(language, config);
  if (!templates.ok()) {
    outcome.status = FileOutcome::Status::kError;
    outcome.message = templates.error();
    return result;
  }
  const LanguageTemplate& tmpl = templates->front();
  SourceText source(input);
  // The caller's parse is used when it is of this very text (it never is with a BOM aside).
  bool reuse = tree && tree->get() && !source.has_bom();
  auto parsed_result =
      reuse ? parse_and_extract(std::move(source), location, language, *templates, tree->copy())
            : parse_and_extract(std::move(source), location, language, *templates);
  if (!parsed_result.ok()) {
    outcome.status = FileOutcome::Status::kError;
    outcome.message = parsed_result.error();
    return result;
  }
  Parsed& parsed = **parsed_result;
  parsed.incremental = reuse;
  std::vector<FunctionInfo>& functions = parsed.functions;
  apply_config_filters(functions, config);
  outcome.functions_found = static_cast<uint32_t>(functions.size());

  auto finish_unchanged = [&](const char* uninstrumented_state) {
    for (const FunctionInfo& f : functions) {
      switch (f.state) {
        case FunctionState::kInstrumented:
          ++outcome.already_instrumented;
          outcome.functions.push_back(describe(f, "already_instrumented"));
          break;
        case FunctionState::kUninstrumented:
          ++outcome.uninstrumented;
          outcome.functions.push_back(describe(f, uninstrumented_state));
          break;
        case FunctionState::kOptedOut:
          ++outcome.skipped;
          outcome.functions.push_back(describe(f, "opted_out"));
          break;
        case FunctionState::kSkipped:
          ++outcome.skipped;
          outcome.functions.push_back(describe(f, "skipped"));
          break;
      }
    }
  };

  if (action == Action::kCheck) {
    finish_unchanged("uninstrumented");
    return result;
  }
  auto wanted = [only](const FunctionInfo& f) {
    return !only || std::find(only->begin(), only->end(), f.qualified_name) != only->end();
  };

  if (action == Action::kRemove) {
    ParsedSource file = parsed.view();
    std::vector<size_t> chosen;  // empty: all of them
    if (only) {
      for (size_t i = 0; i < functions.size(); ++i)
        if (functions[i].state == FunctionState::kInstrumented && wanted(functions[i]))
          chosen.push_back(i);
      if (chosen.empty()) return result;  // nothing of the selection carries telemetry
    }
    auto edits = language.remove(file, functions, chosen, *templates);
    if (!edits.ok()) {
      outcome.status = FileOutcome::Status::kError;
      outcome.message = edits.error();
      return result;
    }
    std::string output;
    if (!apply_edits(parsed.source.text(), std::move(*edits), &output)) {
      outcome.status = FileOutcome::Status::kError;
      outcome.message = "removal edits overlap";
      return result;
    }
    for (const FunctionInfo& f : functions) {
      if (f.state == FunctionState::kInstrumented && wanted(f)) {
        ++outcome.removed;
        outcome.functions.push_back(describe(f, "removed"));
      }
    }
    // Telemetry that could not be taken out (edited by hand) keeps the import it needs.
    for (const FunctionInfo& f : functions) {
      if (f.state == FunctionState::kSkipped && wanted(f) &&
          f.reason.rfind("telemetry edited by hand", 0) == 0) {
        outcome.status = FileOutcome::Status::kError;
        outcome.message = f.qualified_name + " (line " + std::to_string(f.name_row + 1) + "): " +
                          f.reason + "; fix or remove it by hand, the file was left as it was";
        return result;
      }
    }
    if (output == parsed.source.text()) return result;
    if (config.validate != ValidateMode::kOff) {
      auto after = parse_and_extract(SourceText(output), parsed.location, language, *templates);
      // Every function we took telemetry from is uninstrumented now; the others kept theirs.
      size_t carrying_after = 0, carrying_before = 0;
      if (after.ok())
        for (const FunctionInfo& f : (*after)->functions)
          carrying_after += f.state == FunctionState::kInstrumented;
      for (const FunctionInfo& f : functions) carrying_before += f.state == FunctionState::kInstrumented;
      bool ok = after.ok() && (*after)->tree.error_count() <= parsed.tree.error_count() &&
                carrying_after == carrying_before - outcome.removed;
      if (!ok) {
        outcome.status = FileOutcome::Status::kError;
        outcome.message = "removal did not validate; file left as it was";
        return result;
      }
    }
    result.output = parsed.source.restore(output);
    outcome.status = FileOutcome::Status::kChanged;
    return result;
  }

  // Instrument.
  std::vector<bool> selected(functions.size(), false);
  for (size_t i = 0; i < functions.size(); ++i)
    selected[i] = functions[i].state == FunctionState::kUninstrumented && wanted(functions[i]);
  std::vector<Candidate> candidates;
  std::vector<std::string> failures(functions.size());
  const std::string language_name(language.name());
  ParsedSource file = parsed.view();
  std::vector<std::string> not_done(functions.size());
  std::vector<std::string> notes(functions.size());  // why a selected function was left alone
  InstrumentPass pass{parsed, language, tmpl, *templates, location, cache, trace, outcome,
                      selected, candidates, failures, not_done, notes};
  if (hooks.instrumenter) plan_with_llm(pass, *hooks.instrumenter);
  for (size_t i = 0; i < functions.size() && !hooks.instrumenter; ++i) {
    if (!selected[i]) continue;
    const FunctionInfo& f = functions[i];
    std::vector<size_t> ancestors = wrapped_ancestors(functions, selected, i);
    std::string text = function_text(parsed.source, f);
    std::string key = make_script_key(language_name, tmpl.fingerprint(), f.qualified_name, text,
                                      language.script_context(file, functions, i, ancestors));
    auto script = language.instrument(file, functions, i, tmpl, ancestors);
    if (cache && script.ok()) {
      // A cached script is used only when its stored test passes and it inserts exactly what
      // the template produces now: a tampered entry can never smuggle code in.
      auto hit = cache->get(language_name, f.name, key);
      if (hit && hit->test.passes(hit->script, text) && hit->script.insertions == script->insertions) {
        ++outcome.cache_hits;
        candidates.push_back({i, std::move(hit->script), true});
        continue;
      }
    }
    if (!script.ok()) {
      selected[i] = false;
      failures[i] = script.error();
      continue;
    }
    script->key = key;
    ++outcome.cache_misses;
    candidates.push_back({i, std::move(*script), false});
  }

  bool all_from_cache = std::all_of(candidates.begin(), candidates.end(),
                                    [](const Candidate& c) { return c.from_cache; });
  bool must_validate = config.validate == ValidateMode::kStrict ||
                       (config.validate == ValidateMode::kNormal && !all_from_cache);
  std::string output = parsed.source.text();
  while (!candidates.empty()) {
    std::vector<TextEdit> edits;
    auto rebuilt = reconstruct(parsed, candidates, language, tmpl, &edits);
    Result<void> valid = rebuilt.ok() ? Result<void>() : Result<void>(make_error(rebuilt.error()));
    if (valid.ok() && must_validate) {
      std::vector<size_t> added;
      for (const Candidate& c : candidates) added.push_back(c.index);
      valid = validate_instrumented(parsed, *rebuilt, edits, added, language, *templates);
    }
    if (valid.ok()) {
      output = std::move(*rebuilt);
      break;
    }
    if (std::getenv("TELINJECT_DEBUG_VALIDATION"))
      std::fprintf(stderr, "validation failed: %s\n", valid.error().c_str());
    if (trace)
      trace->record(TraceLevel::kWarning, "validation_failed",
                    {{"file", location.relative.string()}, {"reason", valid.error()}});
    // Find the scripts that fail on their own; drop them and try the rest again.
    std::vector<Candidate> kept;
    for (Candidate& c : candidates) {
      // A script is tried with the scripts of its enclosing functions: its layout assumes them.
      std::vector<Candidate> alone;
      std::vector<size_t> indices;
      for (const Candidate& other : candidates) {
        bool encloses = false;
        for (int p = functions[c.index].parent; p >= 0 && !encloses; p = functions[p].parent)
          encloses = static_cast<size_t>(p) == other.index;
        if (encloses || other.index == c.index) {
          alone.push_back(other);
          indices.push_back(other.index);
        }
      }
      std::vector<TextEdit> single_edits;
      auto single = reconstruct(parsed, alone, language, tmpl, &single_edits);
      Result<void> ok = single.ok()
                            ? validate_instrumented(parsed, *single, single_edits, indices, language,
                                                    *templates)
                            : Result<void>(make_error(single.error()));
      if (ok.ok()) {
        kept.push_back(c);
      } else {
        failures[c.index] = "script failed validation: " + ok.error();
      }
    }
    if (kept.size() == candidates.size()) {
      // Each script is fine alone but not together: give up on the file, keep it as it was.
      outcome.status = FileOutcome::Status::kError;
      outcome.message = "instrumentation failed validation: " + valid.error();
      return result;
    }
    // Scripts nested in a dropped one were made for a layout that no longer holds.
    candidates.clear();
    for (Candidate& c : kept) {
      bool layout_holds = true;
      for (int p = functions[c.index].parent; p >= 0; p = functions[p].parent)
        if (!failures[p].empty() && selected[p]) layout_holds = false;
      if (layout_holds) candidates.push_back(std::move(c));
      else failures[c.index] = "enclosing function failed validation";
    }
    for (size_t i = 0; i < failures.size(); ++i)
      if (!failures[i].empty()) selected[i] = false;
  }

  std::vector<bool> repaired = repair_failed_scripts(pass, repairer);
  if (std::any_of(repaired.begin(), repaired.end(), [](bool r) { return r; })) {
    std::vector<TextEdit> edits;
    auto rebuilt = reconstruct(parsed, candidates, language, tmpl, &edits);
    if (!rebuilt.ok()) {  // each fix was validated with the scripts before it: cannot happen
      outcome.status = FileOutcome::Status::kError;
      outcome.message = "instrumentation failed after repair: " + rebuilt.error();
      return result;
    }
    output = std::move(*rebuilt);
  }

  if (cache) {
    for (const Candidate& c : candidates) {
      if (c.from_cache) continue;
      std::string text = function_text(parsed.source, functions[c.index]);
      auto test = ScriptTest::make(c.script, text);
      if (test.ok()) (void)cache->put({c.script, std::move(*test)});
    }
  }

  std::vector<bool> done(functions.size(), false);
  for (const Candidate& c : candidates) done[c.index] = true;
  for (size_t i = 0; i < functions.size(); ++i) {
    const FunctionInfo& f = functions[i];
    if (done[i]) {
      ++outcome.instrumented;
      FunctionOutcome o = describe(f, "instrumented");
      if (repaired[i]) o.reason = "template script failed validation; fixed by the LLM";
      outcome.functions.push_back(std::move(o));
    } else if (!not_done[i].empty()) {
      FunctionOutcome o = describe(f, "not_done");
      o.reason = not_done[i];
      outcome.functions.push_back(std::move(o));
    } else if (!failures[i].empty()) {
      ++outcome.skipped;
      FunctionOutcome o = describe(f, "error");
      o.reason = failures[i];
      outcome.functions.push_back(std::move(o));
    } else if (f.state == FunctionState::kInstrumented) {
      ++outcome.already_instrumented;
      outcome.functions.push_back(describe(f, "already_instrumented"));
    } else if (f.state == FunctionState::kUninstrumented) {  // not in `only`, or left alone
      ++outcome.uninstrumented;
      FunctionOutcome o = describe(f, "uninstrumented");
      if (o.reason.empty()) o.reason = notes[i];
      outcome.functions.push_back(std::move(o));
    } else {
      ++outcome.skipped;
      outcome.functions.push_back(
          describe(f, f.state == FunctionState::kOptedOut ? "opted_out" : "skipped"));
    }
  }
  if (output != parsed.source.text() && config.validate == ValidateMode::kStrict) {
    bool skipped = false;
    auto checked = run_external_check(language, parsed.source.restore(output),
                                      location.relative.filename().string(), &skipped);
    bool original_fails = false;
    if (!checked.ok()) {
      bool ignored = false;
      original_fails = !run_external_check(language, input, location.relative.filename().string(), &ignored).ok();
    }
    if (!checked.ok() && !original_fails) {
      outcome.status = FileOutcome::Status::kError;
      outcome.message = checked.error();
      return result;
    }
    if (skipped && trace)
      trace->record(TraceLevel::kWarning, "checker_missing", {{"file", location.relative.string()}});
  }
  if (output != parsed.source.text()) {
    result.output = parsed.source.restore(output);
    outcome.status = FileOutcome::Status::kChanged;
  }
  if (parsed.tree.error_count() > 0)
    outcome.message = "the file has syntax errors; functions inside them were left alone";
  return result;
}

}  // namespace telinject
