// Code actions: "Instrument function `name`" (quick fix), "Instrument all functions in file"
// (source.telinject.instrumentFile), "Remove telemetry from function / file". Edits are
// computed lazily in codeAction/resolve when the client supports it.
#pragma once

#include <optional>
#include <vector>

#include "document.h"
#include "features/edits.h"
#include "lsp_documents.h"

namespace telinject::server {

inline constexpr const char* kInstrumentFileKind = "source.telinject.instrumentFile";
inline constexpr const char* kRemoveFileKind = "source.telinject.removeFile";

/// An action as offered (without edits), and the data it carries for resolve.
struct OfferedAction {
  lsp::CodeAction action;  // action.data is `data` in JSON
  lsp::CodeActionData data;
};

/// The actions offered at `params.range`, without edits: each carries in `data` what resolve
/// needs (uri, version, action, function). Filtered by `params.context.only`. Pure.
std::vector<OfferedAction> code_actions(const DocumentSnapshot& document,
                                        const lsp::CodeActionParams& params,
                                        const ServerSettings& settings,
                                        protocol::PositionEncoding encoding);

/// Fills in `action.edit` for the document `data` names (the caller looked it up by
/// `data.uri`). Fails when the document changed since the action was offered (the client asks
/// again then) or the transformation fails.
Result<lsp::CodeAction> resolve_code_action(lsp::CodeAction action, const lsp::CodeActionData& data,
                                            const DocumentSnapshot& document,
                                            const ServerSettings& settings, ScriptCache* cache,
                                            const EditSupport& support,
                                            protocol::PositionEncoding encoding);

}  // namespace telinject::server
