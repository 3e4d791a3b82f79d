// telinject.instrumentWorkspace: every file of every workspace folder, each with its folder's
// settings. Files open in the editor change through the editor (edits checked against the
// version the server saw); the others are written on disk by core's batch pipeline, as
// `telinject instrument` writes them, each replaced whole: an edit computed now and applied by
// the editor later could land on a file that changed in between.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "document.h"
#include "features/edits.h"
#include "lsp_workspace.h"

namespace telinject::server {

/// One workspace folder, with its own settings and script cache (may be null).
struct WorkspaceFolderRun {
  std::filesystem::path root;
  ServerSettings settings;
  ScriptCache* cache = nullptr;
};

struct WorkspaceInstrumentResult {
  /// Versioned edits of the open documents, with the helper files they need when the client
  /// can create files; empty when no open document changes.
  lsp::WorkspaceEdit edit;
  bool has_edits = false;
  size_t files_changed = 0;           // open documents edited + files written on disk
  size_t files_written = 0;           // on disk, not open in the editor
  size_t functions = 0;               // newly instrumented
  std::vector<std::string> problems;  // per file, for the log
  bool cancelled = false;
};

/// The open document at a URI, or null.
using OpenDocument = std::function<std::shared_ptr<const DocumentSnapshot>(const std::string& uri)>;
/// Progress: a percentage and what is being done.
using WorkspaceProgress = std::function<void(int percentage, const std::string& message)>;

/// Instruments the folders. Folders that do not exist are skipped. Checks `cancelled` between
/// files: once set, nothing more is written and no edit is returned. Runs on the calling thread
/// (the pipeline uses threads of its own); `progress` is called from them, serialised.
WorkspaceInstrumentResult instrument_workspace(const std::vector<WorkspaceFolderRun>& folders,
                                               const OpenDocument& open_document,
                                               const EditSupport& support,
                                               protocol::PositionEncoding encoding,
                                               const std::atomic<bool>& cancelled,
                                               const WorkspaceProgress& progress);

}  // namespace telinject::server
