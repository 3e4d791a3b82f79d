// The instrument pass: its shared pieces (parse + extract, reconstruction, validation) and its
// steps (plan from the templates, validate, report).
#include "instrument_pass.h"

#include <algorithm>

#include "check_pass.h"
#include "external_check.h"
#include "log.h"
#include "script_cache.h"
#include "trace_log.h"

namespace telinject::pass {
namespace {

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

}  // namespace

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

// Parses `source` (or takes `tree`, its parse, when given) and extracts its functions.
Result<std::unique_ptr<Parsed>> parse_and_extract(SourceText source, const FileLocation& location,
                                                  const LanguageSupport& language,
                                                  const std::vector<LanguageTemplate>& known,
                                                  Result<SyntaxTree> tree) {
  auto parsed = std::make_unique<Parsed>();
  parsed->source = std::move(source);
  parsed->module = language.module_name(location);
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

// Checks `output` against `original`: it parses with no new errors, the functions in `added`
// carry telemetry and every other keeps its state, and removing the added telemetry gives the
// original bytes back. Returns the reason on failure.
Result<void> validate_instrumented(const Parsed& original, const std::string& output,
                                   const std::vector<TextEdit>& edits,
                                   const std::vector<size_t>& added,
                                   const LanguageSupport& language,
                                   const std::vector<LanguageTemplate>& known,
                                   bool from_templates) {
  if (from_templates && language.proves_instrumented(original.view(), original.functions, added,
                                                     edits, output, known))
    return {};
  SourceText source(output);
  // Re-parsing from the original's tree reuses what lies between the edits: worth it when they
  // leave most rows alone (a line or two per function, or an editor's one function). Inside a
  // re-indented Python body nothing is reused (the scanner's state differs on every row), so
  // with edits on most rows a fresh parse is cheaper.
  const bool sparse = edits.size() * 4 < original.source.row_count();
  Result<SyntaxTree> tree =
      original.incremental || sparse
          ? SyntaxTree::reparse(language.grammar(), original.tree,
                                input_edits(original.source.text(), source, edits), source.text())
          : SyntaxTree::parse(language.grammar(), source.text());
  auto result =
      parse_and_extract(std::move(source), original.location, language, known, std::move(tree));
  if (!result.ok()) return make_error(result.error());
  const Parsed& after = **result;
  uint32_t errors_before = original.tree.error_count();
  uint32_t errors_after = after.tree.error_count();
  // Equal, not merely no more: in a file with syntax errors, telemetry that changes how the
  // parser recovers (fewer errors) would make `remove` see its own exact undo add errors and
  // refuse it, leaving telemetry no run can take out.
  if (errors_after != errors_before)
    return make_error("instrumented code does not parse as the original does (" +
                      std::to_string(errors_after) + " syntax errors, " +
                      std::to_string(errors_before) + " before)");
  if (after.functions.size() != original.functions.size())
    return make_error("instrumented code has " + std::to_string(after.functions.size()) +
                      " functions instead of " + std::to_string(original.functions.size()));
  std::vector<bool> is_added(original.functions.size(), false);
  for (size_t i : added) is_added[i] = true;
  for (size_t i = 0; i < after.functions.size(); ++i) {
    FunctionState expected =
        is_added[i] ? FunctionState::kInstrumented : original.functions[i].state;
    // Filters from the config are not re-applied to `after`; they only skip functions that
    // stay uninstrumented. A function the language skipped (inside a syntax error) must stay
    // skipped: if the telemetry changed how the parser recovers around it, the next run would
    // instrument it, and instrument would not reach a fixed point.
    FunctionState actual = after.functions[i].state;
    if (expected == FunctionState::kSkipped && actual == FunctionState::kUninstrumented &&
        skipped_by_config(original.functions[i]))
      continue;
    if (actual != expected)
      return make_error(original.functions[i].qualified_name + " is " + to_string(actual) +
                        " after instrumentation, expected " + to_string(expected));
  }
  auto removal = language.remove(after.view(), after.functions, added, known);
  if (!removal.ok()) return make_error("telemetry cannot be removed again: " + removal.error());
  std::string restored;
  if (!apply_edits(after.source.text(), std::move(*removal), &restored))
    return make_error("removing the telemetry does not restore the original text");
  if (restored == original.source.text()) return {};
  // Scripts only insert; an edit that replaces text is the language's import edit updating an
  // import of the helper that telemetry left in the file still needs (an older import line, a
  // helper that moved). Removing the new telemetry gives the original with that edit applied.
  std::vector<TextEdit> replacements;
  for (const TextEdit& edit : edits)
    if (edit.remove_length > 0) replacements.push_back(edit);
  std::string updated;
  if (replacements.empty() ||
      !apply_edits(original.source.text(), std::move(replacements), &updated) ||
      restored != updated)
    return make_error("removing the telemetry does not restore the original text");
  return {};
}

bool all_from_templates(const std::vector<Candidate>& candidates) {
  return std::all_of(candidates.begin(), candidates.end(),
                     [](const Candidate& c) { return c.from_template; });
}

// The instrumented text; `applied` gets the edits, sorted by offset.
Result<std::string> reconstruct(const Parsed& parsed, const std::vector<Candidate>& candidates,
                                const LanguageSupport& language, const LanguageTemplate& tmpl,
                                std::vector<TextEdit>* applied) {
  std::vector<TextEdit> edits;
  for (const Candidate& c : candidates) {
    auto script = script_edits(c.script, parsed.source, parsed.functions[c.index].start_row);
    if (!script.ok())
      return make_error(parsed.functions[c.index].qualified_name + ": " + script.error());
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

bool wanted(const FunctionInfo& f, const std::vector<std::string>* only) {
  return !only || std::find(only->begin(), only->end(), f.qualified_name) != only->end();
}

TextResult unchanged_result(const ExtractedText& extracted) {
  TextResult result;
  result.outcome.language = std::string(extracted.language->name());
  if (!extracted.parsed) {
    result.output = extracted.input;
    return result;
  }
  const Parsed& parsed = *extracted.parsed;
  result.output = parsed.source.restore(parsed.source.text());
  result.outcome.functions_found = static_cast<uint32_t>(parsed.functions.size());
  return result;
}

InstrumentPass::InstrumentPass(const ExtractedText& extracted, ScriptCache* cache, TraceLog* trace,
                               const std::vector<std::string>* only)
    : parsed(*extracted.parsed),
      language(*extracted.language),
      templates(extracted.templates),
      tmpl(extracted.templates.front()),
      location(extracted.location),
      config(extracted.config),
      cache(cache),
      trace(trace),
      plans(parsed.functions.size()) {
  outcome.language = std::string(language.name());
  outcome.functions_found = static_cast<uint32_t>(parsed.functions.size());
  for (size_t i = 0; i < parsed.functions.size(); ++i) {
    const FunctionInfo& f = parsed.functions[i];
    plans[i].selected = f.state == FunctionState::kUninstrumented && wanted(f, only);
  }
}

void plan_from_templates(InstrumentPass& pass) {
  const std::vector<FunctionInfo>& functions = pass.parsed.functions;
  const std::string language_name(pass.language.name());
  ParsedSource file = pass.parsed.view();
  std::vector<bool> selected(functions.size());
  for (size_t i = 0; i < functions.size(); ++i) selected[i] = pass.plans[i].selected;
  for (size_t i = 0; i < functions.size(); ++i) {
    if (!selected[i]) continue;
    const FunctionInfo& f = functions[i];
    std::vector<size_t> ancestors = wrapped_ancestors(functions, selected, i);
    std::string text = function_text(pass.parsed.source, f);
    std::string key =
        make_script_key(language_name, pass.tmpl.fingerprint(), f.qualified_name, text,
                        pass.language.script_context(file, functions, i, ancestors));
    auto script = pass.language.instrument(file, functions, i, pass.tmpl, ancestors);
    if (pass.cache && script.ok()) {
      // A cached script is used only when it inserts exactly what the template produces now
      // (the key binds the function's text and layout): a tampered entry smuggles nothing in.
      auto hit = pass.cache->get(language_name, f.name, key);
      if (hit && hit->script.insertions == script->insertions) {
        ++pass.outcome.cache_hits;
        pass.candidates.push_back({i, std::move(hit->script), true, true});
        continue;
      }
    }
    if (!script.ok()) {
      selected[i] = pass.plans[i].selected = false;
      pass.plans[i].failure = script.error();
      continue;
    }
    script->key = key;
    ++pass.outcome.cache_misses;
    pass.candidates.push_back({i, std::move(*script), false, true});
  }
}

namespace {

// Each candidate tried with the scripts of its enclosing functions (its layout assumes them):
// those that fail get their failure in their plan; the others are returned.
std::vector<Candidate> passing_alone(InstrumentPass& pass) {
  const std::vector<FunctionInfo>& functions = pass.parsed.functions;
  std::vector<Candidate> kept;
  for (Candidate& c : pass.candidates) {
    std::vector<Candidate> alone;
    std::vector<size_t> indices;
    for (const Candidate& other : pass.candidates) {
      bool encloses = false;
      for (int p = functions[c.index].parent; p >= 0 && !encloses; p = functions[p].parent)
        encloses = static_cast<size_t>(p) == other.index;
      if (encloses || other.index == c.index) {
        alone.push_back(other);
        indices.push_back(other.index);
      }
    }
    std::vector<TextEdit> edits;
    auto single = reconstruct(pass.parsed, alone, pass.language, pass.tmpl, &edits);
    Result<void> ok =
        single.ok() ? validate_instrumented(pass.parsed, *single, edits, indices, pass.language,
                                            pass.templates, all_from_templates(alone))
                    : Result<void>(make_error(single.error()));
    if (ok.ok())
      kept.push_back(c);
    else
      pass.plans[c.index].failure = "script failed validation: " + ok.error();
  }
  return kept;
}

}  // namespace

Result<std::string> validate_candidates(InstrumentPass& pass, bool must_validate) {
  const std::vector<FunctionInfo>& functions = pass.parsed.functions;
  std::vector<FunctionPlan>& plans = pass.plans;
  while (!pass.candidates.empty()) {
    std::vector<TextEdit> edits;
    auto rebuilt = reconstruct(pass.parsed, pass.candidates, pass.language, pass.tmpl, &edits);
    Result<void> valid = rebuilt.ok() ? Result<void>() : Result<void>(make_error(rebuilt.error()));
    if (valid.ok() && must_validate) {
      std::vector<size_t> added;
      for (const Candidate& c : pass.candidates) added.push_back(c.index);
      valid = validate_instrumented(pass.parsed, *rebuilt, edits, added, pass.language,
                                    pass.templates, all_from_templates(pass.candidates));
    }
    if (valid.ok()) return std::move(*rebuilt);
    logger().debug("{}: validation failed: {}", pass.location.relative.string(), valid.error());
    if (pass.trace)
      pass.trace->record(TraceLevel::kWarning, "validation_failed",
                         {{"file", pass.location.relative.string()}, {"reason", valid.error()}});
    std::vector<Candidate> kept = passing_alone(pass);
    if (kept.size() == pass.candidates.size())  // each fine alone but not together
      return make_error("instrumentation failed validation: " + valid.error());
    // Scripts nested in a dropped one were made for a layout that no longer holds.
    pass.candidates.clear();
    for (Candidate& c : kept) {
      bool layout_holds = true;
      for (int p = functions[c.index].parent; p >= 0; p = functions[p].parent)
        if (!plans[p].failure.empty() && plans[p].selected) layout_holds = false;
      if (layout_holds)
        pass.candidates.push_back(std::move(c));
      else
        plans[c.index].failure = "enclosing function failed validation";
    }
    for (FunctionPlan& plan : plans)
      if (!plan.failure.empty()) plan.selected = false;
  }
  return pass.parsed.source.text();
}

namespace {

// The new scripts (not from the cache) go to the cache; an LLM's with its generated test (a
// template's is proved at each hit by making it again).
void store_new_scripts(const InstrumentPass& pass) {
  if (!pass.cache) return;
  for (const Candidate& c : pass.candidates) {
    if (c.from_cache) continue;
    std::optional<ScriptTest> test;
    if (c.script.origin != "template") {
      auto made = ScriptTest::make(
          c.script, function_text(pass.parsed.source, pass.parsed.functions[c.index]));
      if (!made.ok()) continue;
      test = std::move(*made);
    }
    (void)pass.cache->put({c.script, std::move(test)});
  }
}

// Every function's outcome after the pass, counted into the pass's outcome.
void report_functions(InstrumentPass& pass, const std::vector<bool>& repaired) {
  using State = FunctionOutcome::State;
  const std::vector<FunctionInfo>& functions = pass.parsed.functions;
  FileOutcome& outcome = pass.outcome;
  std::vector<bool> done(functions.size(), false);
  for (const Candidate& c : pass.candidates) done[c.index] = true;
  for (size_t i = 0; i < functions.size(); ++i) {
    const FunctionInfo& f = functions[i];
    const FunctionPlan& plan = pass.plans[i];
    FunctionOutcome o = describe(f, found_state(f));
    if (done[i]) {
      o.state = State::kInstrumented;
      if (repaired[i]) o.reason = "template script failed validation; fixed by the LLM";
    } else if (!plan.not_done.empty()) {
      o.state = State::kNotDone;
      o.reason = plan.not_done;
    } else if (!plan.failure.empty()) {
      o.state = State::kError;
      o.reason = plan.failure;
    } else if (o.state == State::kUninstrumented && o.reason.empty()) {
      o.reason = plan.note;  // not in `only`, or left alone
    }
    count(o.state, outcome);
    outcome.functions.push_back(std::move(o));
  }
}

// --validate=strict: the language's own checker (a compiler, an interpreter) must accept the
// output, unless it rejects the original too.
Result<void> check_externally(const InstrumentPass& pass, const std::string& input,
                              const std::string& output) {
  bool skipped = false;
  const std::string name = pass.location.relative.filename().string();
  auto checked = run_external_check(pass.language, output, name, &skipped);
  bool ignored = false;
  if (!checked.ok() && run_external_check(pass.language, input, name, &ignored).ok())
    return checked;
  if (skipped && pass.trace)
    pass.trace->record(TraceLevel::kWarning, "checker_missing",
                       {{"file", pass.location.relative.string()}});
  return {};
}

}  // namespace

TextResult instrument(const ExtractedText& extracted, ScriptCache* cache, TraceLog* trace,
                      const std::vector<std::string>* only, LlmHooks hooks) {
  TextResult result = unchanged_result(extracted);
  InstrumentPass pass(extracted, cache, trace, only);
  if (hooks.instrumenter)
    plan_with_llm(pass, *hooks.instrumenter);
  else
    plan_from_templates(pass);
  const ValidateMode mode = pass.config.validate;
  bool all_from_cache = std::all_of(pass.candidates.begin(), pass.candidates.end(),
                                    [](const Candidate& c) { return c.from_cache; });
  auto validated = validate_candidates(
      pass, mode == ValidateMode::kStrict || (mode == ValidateMode::kNormal && !all_from_cache));
  if (!validated.ok()) {
    result.outcome = std::move(pass.outcome);
    result.outcome.status = FileOutcome::Status::kError;
    result.outcome.message = validated.error();
    return result;
  }
  std::string output = std::move(*validated);

  // Self-healing by the LLM (its own step: it only adds candidates).
  std::vector<bool> repaired = repair_failed_scripts(pass, hooks.repairer);
  if (std::any_of(repaired.begin(), repaired.end(), [](bool r) { return r; })) {
    std::vector<TextEdit> edits;
    auto rebuilt = reconstruct(pass.parsed, pass.candidates, pass.language, pass.tmpl, &edits);
    if (!rebuilt.ok()) {  // each fix was validated with the scripts before it: cannot happen
      result.outcome = std::move(pass.outcome);
      result.outcome.status = FileOutcome::Status::kError;
      result.outcome.message = "instrumentation failed after repair: " + rebuilt.error();
      return result;
    }
    output = std::move(*rebuilt);
  }

  store_new_scripts(pass);
  report_functions(pass, repaired);
  const bool changed = output != pass.parsed.source.text();
  if (changed && mode == ValidateMode::kStrict) {
    if (auto checked = check_externally(pass, result.output, pass.parsed.source.restore(output));
        !checked.ok()) {
      result.outcome = std::move(pass.outcome);
      result.outcome.status = FileOutcome::Status::kError;
      result.outcome.message = checked.error();
      return result;
    }
  }
  result.outcome = std::move(pass.outcome);
  if (changed) {
    result.output = pass.parsed.source.restore(output);
    result.outcome.status = FileOutcome::Status::kChanged;
  }
  if (pass.parsed.tree.error_count() > 0)
    result.outcome.message = "the file has syntax errors; functions inside them were left alone";
  return result;
}

}  // namespace telinject::pass
