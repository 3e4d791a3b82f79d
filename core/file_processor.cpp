// process_text: one file's text through extract → script → validate → reconstruct.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string_view>

#include "external_check.h"
#include "glob.h"
#include "instrument_pass.h"
#include "llm/answer_script.h"
#include "llm/file_instrumenter.h"
#include "llm/repair.h"
#include "log.h"
#include "pipeline.h"
#include "script_cache.h"
#include "syntax_tree.h"
#include "trace_log.h"

namespace telinject {
namespace {

using pass::all_from_templates;
using pass::Candidate;
using pass::function_text;
using pass::InstrumentPass;
using pass::parse_and_extract;
using pass::Parsed;
using pass::reconstruct;
using pass::validate_instrumented;
using pass::wrapped_ancestors;

using State = FunctionOutcome::State;

// How a function the run leaves as it is is reported.
State found_state(const FunctionInfo& f) {
  switch (f.state) {
    case FunctionState::kInstrumented:
      return State::kAlreadyInstrumented;
    case FunctionState::kUninstrumented:
      return State::kUninstrumented;
    case FunctionState::kOptedOut:
      return State::kOptedOut;
    case FunctionState::kSkipped:
      return State::kSkipped;
  }
  return State::kSkipped;
}

FunctionOutcome describe(const FunctionInfo& f, State state) {
  return {f.qualified_name, f.name_row + 1, f.name_column, f.end_row + 1, state, f.reason};
}

constexpr std::string_view kExcludedReason = "excluded by exclude_functions (";
constexpr std::string_view kTooShortReason = "shorter than min_function_lines";

}  // namespace

const char* to_string(FunctionOutcome::State state) {
  switch (state) {
    case State::kInstrumented:
      return "instrumented";
    case State::kAlreadyInstrumented:
      return "already_instrumented";
    case State::kUninstrumented:
      return "uninstrumented";
    case State::kRemoved:
      return "removed";
    case State::kSkipped:
      return "skipped";
    case State::kOptedOut:
      return "opted_out";
    case State::kError:
      return "error";
    case State::kNotDone:
      return "not_done";
  }
  return "skipped";
}

bool pass::skipped_by_config(const FunctionInfo& f) {
  return f.state == FunctionState::kSkipped &&
         (f.reason.rfind(kExcludedReason, 0) == 0 || f.reason == kTooShortReason);
}

void apply_config_filters(std::vector<FunctionInfo>& functions, const Config& config) {
  for (FunctionInfo& f : functions) {
    if (f.state != FunctionState::kUninstrumented) continue;
    for (const std::string& pattern : config.exclude_functions) {
      if (name_glob_match(pattern, f.qualified_name)) {
        f.state = FunctionState::kSkipped;
        f.reason = std::string(kExcludedReason) + pattern + ")";
        break;
      }
    }
    if (f.state == FunctionState::kUninstrumented && config.min_function_lines > 0 &&
        f.end_row - f.start_row + 1 < config.min_function_lines) {
      f.state = FunctionState::kSkipped;
      f.reason = std::string(kTooShortReason);
    }
  }
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
                             [&](const LanguageTemplate& t) { return t.profile == user.profile; });
    if (same != all.end())
      *same = user;
    else
      all.push_back(user);
  }
  auto chosen = std::find_if(all.begin(), all.end(), [&](const LanguageTemplate& t) {
    return t.profile == config.profile;
  });
  if (chosen == all.end())
    return make_error("profile '" + config.profile + "' has no template for " +
                      std::string(language.name()));
  std::rotate(all.begin(), chosen, chosen + 1);
  return all;
}

std::shared_ptr<const ExtractedText> extract_text(const std::string& text,
                                                  const FileLocation& location,
                                                  const LanguageSupport& language,
                                                  const Config& config, const SyntaxTree* tree) {
  auto extracted = std::make_shared<ExtractedText>();
  extracted->input = text;  // kept only when there is no parse to give it back
  extracted->language = &language;
  extracted->config = config;
  extracted->location = location;
  auto templates = templates_for(language, config);
  if (!templates.ok()) {
    extracted->error = templates.error();
    return extracted;
  }
  extracted->templates = std::move(*templates);
  SourceText source(text);
  // The caller's parse is used when it is of this very text (it never is with a BOM aside).
  bool reuse = tree && tree->get() && !source.has_bom();
  auto parsed =
      reuse ? parse_and_extract(std::move(source), location, language, extracted->templates,
                                tree->copy())
            : parse_and_extract(std::move(source), location, language, extracted->templates);
  if (!parsed.ok()) {
    extracted->error = parsed.error();
    return extracted;
  }
  extracted->parsed = std::move(*parsed);
  extracted->parsed->incremental = reuse;
  extracted->input.clear();
  extracted->input.shrink_to_fit();
  apply_config_filters(extracted->parsed->functions, config);
  return extracted;
}

std::vector<FunctionOutcome> check_extracted(const ExtractedText& extracted) {
  std::vector<FunctionOutcome> out;
  if (!extracted.parsed) return out;
  for (const FunctionInfo& f : extracted.parsed->functions)
    out.push_back(describe(f, found_state(f)));
  return out;
}

TextResult process_text(const std::string& input, const FileLocation& location,
                        const LanguageSupport& language, Action action, const Config& config,
                        ScriptCache* cache, TraceLog* trace, const std::vector<std::string>* only,
                        LlmHooks hooks, const SyntaxTree* tree) {
  return process_extracted(*extract_text(input, location, language, config, tree), action, cache,
                           trace, only, hooks);
}

TextResult process_extracted(const ExtractedText& extracted, Action action, ScriptCache* cache,
                             TraceLog* trace, const std::vector<std::string>* only,
                             LlmHooks hooks) {
  const std::string input = extracted.parsed
                                ? extracted.parsed->source.restore(extracted.parsed->source.text())
                                : extracted.input;
  const LanguageSupport& language = *extracted.language;
  const Config& config = extracted.config;
  const FileLocation& location = extracted.location;
  llm::ScriptRepairer* repairer = hooks.repairer;
  TextResult result;
  result.output = input;
  FileOutcome& outcome = result.outcome;
  outcome.language = std::string(language.name());
  if (!extracted.parsed) {
    outcome.status = FileOutcome::Status::kError;
    outcome.message = extracted.error;
    return result;
  }
  const std::vector<LanguageTemplate>* templates = &extracted.templates;
  const LanguageTemplate& tmpl = templates->front();
  const Parsed& parsed = *extracted.parsed;
  const std::vector<FunctionInfo>& functions = parsed.functions;
  outcome.functions_found = static_cast<uint32_t>(functions.size());

  auto finish_unchanged = [&](State uninstrumented_state) {
    for (const FunctionInfo& f : functions) {
      switch (f.state) {
        case FunctionState::kInstrumented:
          ++outcome.already_instrumented;
          outcome.functions.push_back(describe(f, State::kAlreadyInstrumented));
          break;
        case FunctionState::kUninstrumented:
          ++outcome.uninstrumented;
          outcome.functions.push_back(describe(f, uninstrumented_state));
          break;
        case FunctionState::kOptedOut:
          ++outcome.skipped;
          outcome.functions.push_back(describe(f, State::kOptedOut));
          break;
        case FunctionState::kSkipped:
          ++outcome.skipped;
          outcome.functions.push_back(describe(f, State::kSkipped));
          break;
      }
    }
  };

  if (action == Action::kCheck) {
    finish_unchanged(State::kUninstrumented);
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
        outcome.functions.push_back(describe(f, State::kRemoved));
      }
    }
    // Telemetry that could not be taken out (edited by hand) keeps the import it needs.
    for (const FunctionInfo& f : functions) {
      if (f.state == FunctionState::kSkipped && wanted(f) &&
          f.reason.rfind("telemetry edited by hand", 0) == 0) {
        outcome.status = FileOutcome::Status::kError;
        outcome.message = f.qualified_name + " (line " + std::to_string(f.name_row + 1) +
                          "): " + f.reason +
                          "; fix or remove it by hand, the file was left as it was";
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
      for (const FunctionInfo& f : functions)
        carrying_before += f.state == FunctionState::kInstrumented;
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
  InstrumentPass pass{parsed,  language, tmpl,       *templates, location, cache, trace,
                      outcome, selected, candidates, failures,   not_done, notes};
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
      if (hit && hit->test.passes(hit->script, text) &&
          hit->script.insertions == script->insertions) {
        ++outcome.cache_hits;
        candidates.push_back({i, std::move(hit->script), true, true});
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
    candidates.push_back({i, std::move(*script), false, true});
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
      valid = validate_instrumented(parsed, *rebuilt, edits, added, language, *templates,
                                    all_from_templates(candidates));
    }
    if (valid.ok()) {
      output = std::move(*rebuilt);
      break;
    }
    logger().debug("{}: validation failed: {}", location.relative.string(), valid.error());
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
                            ? validate_instrumented(parsed, *single, single_edits, indices,
                                                    language, *templates, all_from_templates(alone))
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
      if (layout_holds)
        candidates.push_back(std::move(c));
      else
        failures[c.index] = "enclosing function failed validation";
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
      FunctionOutcome o = describe(f, State::kInstrumented);
      if (repaired[i]) o.reason = "template script failed validation; fixed by the LLM";
      outcome.functions.push_back(std::move(o));
    } else if (!not_done[i].empty()) {
      FunctionOutcome o = describe(f, State::kNotDone);
      o.reason = not_done[i];
      outcome.functions.push_back(std::move(o));
    } else if (!failures[i].empty()) {
      ++outcome.skipped;
      FunctionOutcome o = describe(f, State::kError);
      o.reason = failures[i];
      outcome.functions.push_back(std::move(o));
    } else if (f.state == FunctionState::kInstrumented) {
      ++outcome.already_instrumented;
      outcome.functions.push_back(describe(f, State::kAlreadyInstrumented));
    } else if (f.state == FunctionState::kUninstrumented) {  // not in `only`, or left alone
      ++outcome.uninstrumented;
      FunctionOutcome o = describe(f, State::kUninstrumented);
      if (o.reason.empty()) o.reason = notes[i];
      outcome.functions.push_back(std::move(o));
    } else {
      ++outcome.skipped;
      outcome.functions.push_back(describe(f, found_state(f)));
    }
  }
  if (output != parsed.source.text() && config.validate == ValidateMode::kStrict) {
    bool skipped = false;
    auto checked = run_external_check(language, parsed.source.restore(output),
                                      location.relative.filename().string(), &skipped);
    bool original_fails = false;
    if (!checked.ok()) {
      bool ignored = false;
      original_fails =
          !run_external_check(language, input, location.relative.filename().string(), &ignored)
               .ok();
    }
    if (!checked.ok() && !original_fails) {
      outcome.status = FileOutcome::Status::kError;
      outcome.message = checked.error();
      return result;
    }
    if (skipped && trace)
      trace->record(TraceLevel::kWarning, "checker_missing",
                    {{"file", location.relative.string()}});
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