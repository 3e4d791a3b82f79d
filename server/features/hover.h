// Hover on a function's name: a preview of its telemetry, as Markdown.
#pragma once

#include <optional>

#include "document.h"
#include "lsp_documents.h"

namespace telinject {
class ScriptCache;
}

namespace telinject::server {

/// The instrumented function that would be (or was) written, with the profile and whether the
/// script came from the cache; nothing when `position` is not on a function's name. Thread-safe.
std::optional<lsp::Hover> hover(const DocumentSnapshot& document, const lsp::Position& position,
                                const ServerSettings& settings, ScriptCache* cache,
                                protocol::PositionEncoding encoding);

}  // namespace telinject::server
