// The instrument pass's LLM steps: --mode llm and self-healing of scripts that fail validation.
#include <algorithm>
#include <map>
#include <set>

#include "answer_script.h"
#include "instrument_pass.h"
#include "script_cache.h"
#include "trace_log.h"

namespace telinject::pass {

// one per function when the file is too large); functions nested in them wait for the next
// run (their layout depends on the answer). Adds the validated scripts to the candidates.
void plan_with_llm(InstrumentPass& pass, FileInstrumenter& instrumenter) {
  const Parsed& parsed = pass.parsed;
  const std::vector<FunctionInfo>& functions = parsed.functions;
  const LanguageSupport& language = pass.language;
  const LanguageTemplate& tmpl = pass.tmpl;
  const std::vector<LanguageTemplate>* templates = &pass.templates;
  const FileLocation& location = pass.location;
  ScriptCache* cache = pass.cache;
  FileOutcome& outcome = pass.outcome;
  std::vector<Candidate>& candidates = pass.candidates;
  std::vector<FunctionPlan>& plans = pass.plans;
  const std::string language_name(language.name());
  ParsedSource file = parsed.view();
  // --mode llm: the outermost selected functions go to the LLM in one whole-file request;
  // functions nested in them wait for the next run (their layout depends on the answer).
  FileTask task;
  task.language = language_name;
  task.file = location.relative.generic_string();
  task.text = parsed.source.text();
  task.tmpl = &tmpl;
  std::map<size_t, std::string> keys;
  std::map<size_t, std::vector<Insertion>> own_scripts;
  for (size_t i = 0; i < functions.size(); ++i) {
    if (!plans[i].selected) continue;
    bool nested = false;
    for (int p = functions[i].parent; p >= 0 && !nested; p = functions[p].parent)
      nested = plans[p].selected;
    const FunctionInfo& f = functions[i];
    if (nested) {
      plans[i].note = "nested in a function instrumented by the LLM in this run; run again";
      continue;
    }
    // The language decides where telemetry goes; a function it cannot place is not sent.
    auto placed = language.instrument(file, functions, i, tmpl, {});
    if (!placed.ok()) {
      plans[i].failure = placed.error();
      plans[i].note = placed.error();
      continue;
    }
    own_scripts[i] = std::move(placed->insertions);
    task.targets.push_back({i, f.qualified_name, f.name, f.kind, f.start_row, f.end_row});
    keys[i] = make_script_key(language_name, tmpl.fingerprint(), f.qualified_name,
                              function_text(parsed.source, f),
                              language.script_context(file, functions, i, {}) + "\nllm-mode");
  }
  for (size_t i = 0; i < functions.size(); ++i)
    if (!plans[i].note.empty()) plans[i].selected = false;
  auto validate_set = [&](const FileScripts& scripts) -> Result<void> {
    std::vector<Candidate> trial;
    std::vector<size_t> added;
    for (const auto& [index, script] : scripts) {
      const FunctionInfo& f = functions[index];
      auto safe = check_telemetry_only(script.insertions, tmpl, f.qualified_name, f.name, f.kind);
      if (!safe.ok()) return safe;
      auto placed = check_same_place(script.insertions, own_scripts[index]);
      if (!placed.ok()) return make_error(f.qualified_name + ": " + placed.error());
      trial.push_back({index, script, false});
      added.push_back(index);
    }
    std::vector<TextEdit> edits;
    auto rebuilt = reconstruct(parsed, trial, language, tmpl, &edits);
    if (!rebuilt.ok()) return make_error(rebuilt.error());
    return validate_instrumented(parsed, *rebuilt, edits, added, language, *templates);
  };
  FileScripts cached;
  if (cache) {
    for (const TargetFunction& t : task.targets) {
      auto hit = cache->get(language_name, t.name, keys[t.index]);
      std::string text = function_text(parsed.source, functions[t.index]);
      if (hit && hit->script.origin == "llm" && hit->test && hit->test->passes(hit->script, text))
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
    std::vector<FileTask> tasks;
    if (instrumenter.fits(task)) {
      tasks.push_back(task);
    } else {
      for (const TargetFunction& t : task.targets) {
        FileTask part = task;
        part.text = function_text(parsed.source, functions[t.index]);
        part.targets = {t};
        part.targets[0].start_row = 0;
        part.targets[0].end_row = t.end_row - t.start_row;
        tasks.push_back(std::move(part));
      }
    }
    CallFailure why = CallFailure::kNone;
    FileScripts all;
    std::map<size_t, std::string> errors;
    std::set<size_t> over_budget;
    for (const FileTask& part : tasks) {
      // Once the budget refused a call, the remaining parts are not tried.
      auto got = why == CallFailure::kBudget
                     ? Result<FileScripts>(make_error("the LLM budget is spent"))
                     : instrumenter.instrument(part, validate_set, &why);
      if (got.ok()) {
        all.merge(*got);
        continue;
      }
      for (const TargetFunction& t : part.targets) {
        errors[t.index] = got.error();
        if (why == CallFailure::kBudget) over_budget.insert(t.index);
      }
    }
    for (const TargetFunction& t : task.targets) {
      auto it = all.find(t.index);
      if (it != all.end()) {
        it->second.key = keys[t.index];
        ++outcome.cache_misses;
        candidates.push_back({t.index, std::move(it->second), false});
        continue;
      }
      plans[t.index].selected = false;
      if (!errors.count(t.index))
        plans[t.index].note = "the LLM left it without telemetry";
      else if (over_budget.count(t.index))
        plans[t.index].not_done = "not instrumented: the LLM budget is spent";
      else
        plans[t.index].failure = errors[t.index];
    }
  }
}

// Self-healing: a function whose own script failed validation gets a fix from the cache
// (made by the LLM in an earlier run) or from the LLM. Only functions with no enclosing
// function instrumented or failing in this pass: their layout is the file's own. Returns
// which functions were repaired; their scripts are added to the candidates.
std::vector<bool> repair_failed_scripts(InstrumentPass& pass, ScriptRepairer* repairer) {
  const Parsed& parsed = pass.parsed;
  const std::vector<FunctionInfo>& functions = parsed.functions;
  const LanguageSupport& language = pass.language;
  const LanguageTemplate& tmpl = pass.tmpl;
  const std::vector<LanguageTemplate>* templates = &pass.templates;
  const FileLocation& location = pass.location;
  ScriptCache* cache = pass.cache;
  FileOutcome& outcome = pass.outcome;
  std::vector<Candidate>& candidates = pass.candidates;
  std::vector<FunctionPlan>& plans = pass.plans;
  const std::string language_name(language.name());
  ParsedSource file = parsed.view();
  TraceLog* trace = pass.trace;
  std::vector<bool> repaired(functions.size(), false);
  const std::string kScriptFailed = "script failed validation: ";
  for (size_t i = 0; i < functions.size() && (repairer || cache); ++i) {
    if (plans[i].failure.rfind(kScriptFailed, 0) != 0) continue;
    bool nested = false;
    for (int p = functions[i].parent; p >= 0 && !nested; p = functions[p].parent)
      nested = !plans[p].failure.empty() || repaired[p] ||
               std::any_of(candidates.begin(), candidates.end(),
                           [p](const Candidate& c) { return c.index == static_cast<size_t>(p); });
    if (nested) continue;
    const FunctionInfo& f = functions[i];
    std::string text = function_text(parsed.source, f);
    std::string key =
        make_script_key(language_name, tmpl.fingerprint(), f.qualified_name, text,
                        language.script_context(file, functions, i, {}) + "\nllm-repair");
    // The LLM's script must be telemetry only, where the language's own script puts it, and
    // validate with every script kept so far.
    auto own = language.instrument(file, functions, i, tmpl, {});
    if (!own.ok()) continue;
    auto validate = [&](const InsertionScript& script) -> Result<void> {
      auto safe = check_telemetry_only(script.insertions, tmpl, f.qualified_name, f.name, f.kind);
      if (!safe.ok()) return safe;
      auto placed = check_same_place(script.insertions, own->insertions);
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
      if (hit && hit->script.origin == "llm" && hit->test && hit->test->passes(hit->script, text) &&
          validate(hit->script).ok()) {
        ++outcome.cache_hits;
        candidates.push_back({i, std::move(hit->script), true});
        repaired[i] = true;
        plans[i].failure.clear();
        continue;
      }
    }
    if (!repairer) continue;
    RepairTask task;
    task.language = language_name;
    task.file = location.relative.generic_string();
    task.qualified_name = f.qualified_name;
    task.name = f.name;
    task.kind = f.kind;
    task.function_text = text;
    task.tmpl = &tmpl;
    task.failure = plans[i].failure.substr(kScriptFailed.size());
    if (auto applied = apply_to_function_text(*own, text); applied.ok())
      task.failed_output = std::move(*applied);
    CallFailure why = CallFailure::kNone;
    auto fixed = repairer->repair(task, validate, &why);
    if (trace)
      trace->record(fixed.ok() ? TraceLevel::kInfo : TraceLevel::kWarning, "llm_repair",
                    {{"file", task.file},
                     {"function", f.qualified_name},
                     {"outcome", fixed.ok()                    ? "fixed"
                                 : why == CallFailure::kBudget ? "budget"
                                                               : "failed"},
                     {"error", fixed.ok() ? "" : fixed.error()}});
    if (fixed.ok()) {
      fixed->key = key;
      ++outcome.cache_misses;
      candidates.push_back({i, std::move(*fixed), false});
      repaired[i] = true;
      plans[i].failure.clear();
    } else if (why == CallFailure::kBudget) {
      plans[i].not_done = "not repaired: the LLM budget is spent (" + plans[i].failure + ")";
      plans[i].failure.clear();
    } else {
      plans[i].failure += "; " + fixed.error();
    }
  }
  return repaired;
}

}  // namespace telinject::pass
