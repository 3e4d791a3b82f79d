// Diagnostics: one per function that has no telemetry yet.
#pragma once

#include <vector>

#include "document.h"
#include "lsp_types.h"
#include "pipeline.h"

namespace telinject::server {

/// One diagnostic (code "uninstrumented", source "telinject") per uninstrumented function, with
/// `data` naming the function for the quick fix. Functions opted out with `telinject: ignore`,
/// excluded by the config or already instrumented get none. Pure; thread-safe.
std::vector<lsp::Diagnostic> compute_diagnostics(const DocumentSnapshot& document,
                                                 const ServerSettings& settings,
                                                 protocol::PositionEncoding encoding);

}  // namespace telinject::server
