// The remove pass: take out exactly the telemetry telinject added. Internal to core.
#pragma once

#include <string>
#include <vector>

#include "instrument_pass.h"
#include "pipeline.h"

namespace telinject::pass {

/// remove: the telemetry of the instrumented functions of `extracted` (parsed) that `only`
/// names (all when null). The file is left as it was, with an error, when telemetry was edited
/// by hand, the language cannot remove it, or (unless --validate=off) the result does not
/// parse as well as the original or still carries telemetry it should not.
TextResult remove(const ExtractedText& extracted, const std::vector<std::string>* only);

}  // namespace telinject::pass
