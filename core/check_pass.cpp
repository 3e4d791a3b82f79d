// The check pass and the description of a function's outcome.
#include "check_pass.h"

namespace telinject {

const char* to_string(FunctionOutcome::State state) {
  switch (state) {
    case FunctionOutcome::State::kInstrumented:
      return "instrumented";
    case FunctionOutcome::State::kAlreadyInstrumented:
      return "already_instrumented";
    case FunctionOutcome::State::kUninstrumented:
      return "uninstrumented";
    case FunctionOutcome::State::kRemoved:
      return "removed";
    case FunctionOutcome::State::kSkipped:
      return "skipped";
    case FunctionOutcome::State::kOptedOut:
      return "opted_out";
    case FunctionOutcome::State::kError:
      return "error";
    case FunctionOutcome::State::kNotDone:
      return "not_done";
  }
  return "skipped";
}

namespace pass {

using State = FunctionOutcome::State;

FunctionOutcome describe(const FunctionInfo& f, State state) {
  return {f.qualified_name, f.name_row + 1, f.name_column, f.end_row + 1, state, f.reason};
}

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

void count(State state, FileOutcome& outcome) {
  switch (state) {
    case State::kInstrumented:
      ++outcome.instrumented;
      break;
    case State::kAlreadyInstrumented:
      ++outcome.already_instrumented;
      break;
    case State::kUninstrumented:
      ++outcome.uninstrumented;
      break;
    case State::kRemoved:
      ++outcome.removed;
      break;
    case State::kSkipped:
    case State::kOptedOut:
    case State::kError:
      ++outcome.skipped;
      break;
    case State::kNotDone:
      break;
  }
}

TextResult check(const ExtractedText& extracted) {
  TextResult result = unchanged_result(extracted);
  for (const FunctionInfo& f : extracted.parsed->functions) {
    FunctionOutcome o = describe(f, found_state(f));
    count(o.state, result.outcome);
    result.outcome.functions.push_back(std::move(o));
  }
  return result;
}

}  // namespace pass
}  // namespace telinject
