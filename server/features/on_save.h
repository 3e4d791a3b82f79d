// On save (textDocument/willSaveWaitUntil): with the `onSave` setting, the document is
// instrumented as it is saved, through edits the editor applies before writing it.
#pragma once

#include <string>
#include <vector>

#include "document.h"
#include "lsp_documents.h"

namespace telinject {
class ScriptCache;
}

namespace telinject::server {

/// What a save changes.
struct SaveEdits {
  std::vector<lsp::TextEdit> edits;  // empty: the document is saved as it is
  /// Why the runtime helper could not be written (empty when it was, or was not needed).
  std::string helper_problem;
};

/// The edits that instrument every function of the document, when `settings.on_save` is set
/// and the language is known. A save cannot carry a file creation: the missing runtime helper
/// files are written on disk here (the one side effect, besides the cache). Thread-safe.
SaveEdits edits_on_save(const DocumentSnapshot& document, const ServerSettings& settings,
                        ScriptCache* cache, protocol::PositionEncoding encoding);

/// Whether a save of `document` may change it at all (cheap: no analysis needed).
inline bool changes_on_save(const DocumentSnapshot& document, const ServerSettings& settings) {
  return settings.on_save && (document.language || settings.llm);  // LLM: grammar-less files
}

}  // namespace telinject::server
