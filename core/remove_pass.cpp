// The remove pass.
#include "remove_pass.h"

#include "check_pass.h"

namespace telinject::pass {
namespace {

// The removal validates when the result parses with no more errors and every function we took
// telemetry from is uninstrumented now, while the others kept theirs.
bool removal_validates(const ExtractedText& extracted, const std::string& output,
                       uint32_t removed) {
  const Parsed& parsed = *extracted.parsed;
  auto after = parse_and_extract(SourceText(output), parsed.location, *extracted.language,
                                 extracted.templates);
  if (!after.ok() || (*after)->tree.error_count() > parsed.tree.error_count()) return false;
  size_t carrying_after = 0, carrying_before = 0;
  for (const FunctionInfo& f : (*after)->functions)
    carrying_after += f.state == FunctionState::kInstrumented;
  for (const FunctionInfo& f : parsed.functions)
    carrying_before += f.state == FunctionState::kInstrumented;
  return carrying_after == carrying_before - removed;
}

}  // namespace

TextResult remove(const ExtractedText& extracted, const std::vector<std::string>* only) {
  TextResult result = unchanged_result(extracted);
  FileOutcome& outcome = result.outcome;
  const Parsed& parsed = *extracted.parsed;
  const std::vector<FunctionInfo>& functions = parsed.functions;
  std::vector<size_t> chosen;  // empty: all of them
  if (only) {
    for (size_t i = 0; i < functions.size(); ++i)
      if (functions[i].state == FunctionState::kInstrumented && wanted(functions[i], only))
        chosen.push_back(i);
    if (chosen.empty()) return result;  // nothing of the selection carries telemetry
  }
  auto edits = extracted.language->remove(parsed.view(), functions, chosen, extracted.templates);
  std::string output;
  if (!edits.ok() || !apply_edits(parsed.source.text(), std::move(*edits), &output)) {
    outcome.status = FileOutcome::Status::kError;
    outcome.message = edits.ok() ? "removal edits overlap" : edits.error();
    return result;
  }
  for (const FunctionInfo& f : functions) {
    if (f.state == FunctionState::kInstrumented && wanted(f, only)) {
      ++outcome.removed;
      outcome.functions.push_back(describe(f, FunctionOutcome::State::kRemoved));
    }
  }
  // Telemetry that could not be taken out (edited by hand) keeps the import it needs.
  for (const FunctionInfo& f : functions) {
    if (f.state == FunctionState::kSkipped && wanted(f, only) &&
        f.reason.rfind("telemetry edited by hand", 0) == 0) {
      outcome.status = FileOutcome::Status::kError;
      outcome.message = f.qualified_name + " (line " + std::to_string(f.name_row + 1) +
                        "): " + f.reason +
                        "; fix or remove it by hand, the file was left as it was";
      return result;
    }
  }
  if (output == parsed.source.text()) return result;
  if (extracted.config.validate != ValidateMode::kOff &&
      !removal_validates(extracted, output, outcome.removed)) {
    outcome.status = FileOutcome::Status::kError;
    outcome.message = "removal did not validate; file left as it was";
    return result;
  }
  result.output = parsed.source.restore(output);
  outcome.status = FileOutcome::Status::kChanged;
  return result;
}

}  // namespace telinject::pass
