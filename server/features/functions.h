// The functions of a snapshot, computed once and shared by every feature (diagnostics, code
// actions, hover, edits): the snapshot's memo holds core's one extraction of it.
#pragma once

#include <memory>
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

}  // namespace telinject::server
