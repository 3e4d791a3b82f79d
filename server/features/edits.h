// Edits: core's instrument/remove of a document turned into LSP edits, with the runtime helper
// created through the same workspace edit when the profile needs it and it is missing.
#pragma once

#include <string>
#include <vector>

#include "document.h"
#include "lsp_workspace.h"
#include "pipeline.h"

namespace telinject {
class ScriptCache;
}

namespace telinject::server {

/// How the client takes workspace edits (from its capabilities).
struct EditSupport {
  bool document_changes = false;  // WorkspaceEdit.documentChanges
  bool create_files = false;      // the "create" resource operation
};

/// Core's result of `action` on the document, limited to `only` when given. Thread-safe.
TextResult transform_document(const DocumentSnapshot& document, Action action,
                              const std::vector<std::string>* only, const ServerSettings& settings,
                              ScriptCache* cache);

/// Small edits that turn the document's text into `after`: one per changed region of lines
/// (Myers), each trimmed to the bytes that differ, so the rest of the buffer, the cursor and the
/// undo history stay where they were. Non-overlapping, in document order.
std::vector<lsp::TextEdit> minimal_edits(const DocumentSnapshot& document, const std::string& after,
                                         protocol::PositionEncoding encoding);

/// The runtime helper files the document's profile calls that are not on disk yet: where they
/// go and what they hold (none when the profile needs no helper).
std::vector<std::pair<std::filesystem::path, std::string>> missing_helpers(
    const DocumentSnapshot& document, const ServerSettings& settings);

/// Writes the missing helper files of the document's project on disk, each atomically, for
/// clients that cannot create files through a workspace edit. Returns the paths written. Fails,
/// writing nothing, when a helper is missing and the document's folder or root is not on disk.
Result<std::vector<std::filesystem::path>> write_missing_helpers(const DocumentSnapshot& document,
                                                                 const ServerSettings& settings);

/// The command a code action carries when its edit adds telemetry but the client cannot create
/// the helper files itself: `telinject.writeRuntime` with the document's URI.
inline constexpr const char* kWriteRuntimeCommand = "telinject.writeRuntime";

/// The workspace edit that turns the document into `after`, plus the runtime helper files when
/// `action` adds telemetry whose profile calls them, they are missing, and the client can
/// create files (documentChanges with the "create" operation).
lsp::WorkspaceEdit workspace_edit(const DocumentSnapshot& document, const std::string& after,
                                  Action action, const ServerSettings& settings,
                                  const EditSupport& support, protocol::PositionEncoding encoding);

}  // namespace telinject::server
