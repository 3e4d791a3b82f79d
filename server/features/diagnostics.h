// Diagnostics: one per function that has no telemetry yet.
#pragma once

#include <vector>

#include "document.h"
#include "lsp_types.h"
#include "pipeline.h"

namespace telinject::server {

/// The functions of a document as core sees them (qualified name, name position, state).
/// Empty for a language telinject does not know. Pure; thread-safe.
std::vector<FunctionOutcome> document_functions(const DocumentSnapshot& document,
                                                const ServerSettings& settings);

/// The snapshot's one extraction for `settings` (the same that document_functions reports),
/// for the features that instrument or remove; null for a language telinject does not know.
/// Core reads its tree: hold the memo's `tree_mutex` while it does. Thread-safe.
std::shared_ptr<const ExtractedText> document_extraction(const DocumentSnapshot& document,
                                                         const ServerSettings& settings);

/// The LSP range of a function's name.
lsp::Range name_range(const DocumentSnapshot& document, const FunctionOutcome& function,
                      protocol::PositionEncoding encoding);

/// One diagnostic (code "uninstrumented", source "telinject") per uninstrumented function, with
/// `data` naming the function for the quick fix. Functions opted out with `telinject: ignore`,
/// excluded by the config or already instrumented get none. Pure; thread-safe.
std::vector<lsp::Diagnostic> compute_diagnostics(const DocumentSnapshot& document,
                                                 const ServerSettings& settings,
                                                 protocol::PositionEncoding encoding);

}  // namespace telinject::server
