// The check pass (report every function as it is found, change nothing) and how every pass
// describes and counts a function's outcome. Internal to core.
#pragma once

#include "instrument_pass.h"
#include "language.h"
#include "pipeline.h"

namespace telinject::pass {

/// The outcome of `f` in `state`, with its position and its reason.
FunctionOutcome describe(const FunctionInfo& f, FunctionOutcome::State state);

/// How a function the run leaves as it is is reported: already_instrumented, uninstrumented,
/// opted_out or skipped.
FunctionOutcome::State found_state(const FunctionInfo& f);

/// Adds one function in `state` to `outcome`'s counters (an error counts as skipped; not_done
/// is not counted).
void count(FunctionOutcome::State state, FileOutcome& outcome);

/// check: every function of `extracted` (parsed) as it is found; the text is unchanged.
TextResult check(const ExtractedText& extracted);

}  // namespace telinject::pass
