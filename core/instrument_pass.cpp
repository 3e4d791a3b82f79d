// The instrument pass's shared pieces: parse + extract, reconstruction, validation.
#include "instrument_pass.h"

#include <algorithm>

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

}  // namespace telinject::pass
