// The server's view of an open file: an immutable snapshot that features compute from, and the
// mapping between `file://` URIs and paths.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "config.h"
#include "language.h"
#include "pipeline.h"
#include "position.h"
#include "settings.h"
#include "syntax_tree.h"
#include "text_document.h"

namespace telinject::server {

/// One version of one open document. Features take it by shared pointer and never see it
/// change; the session replaces the whole snapshot on every edit.
struct DocumentSnapshot {
  std::string uri;
  std::filesystem::path path;                 // on disk (may not exist yet)
  std::filesystem::path root;                 // the workspace folder holding it (or its directory)
  std::filesystem::path relative;             // path below root: decides module names
  const LanguageSupport* language = nullptr;  // nullptr: a language telinject does not know
  int version = 0;
  std::string text;
  protocol::LineIndex lines{""};
  /// The parse of `text` (nullptr for unknown languages and texts with a byte order mark),
  /// made in the background on the document's serial executor (see `analysed`) so that the
  /// reader never waits for it. Waits until it is ready. Trees are not thread-safe: read it
  /// through `tree()->copy()`.
  std::shared_ptr<const SyntaxTree> tree() const { return parsed.valid() ? parsed.get() : nullptr; }
  /// Ready once the snapshot is analysed: parsed, and its functions extracted into `memo` for
  /// the settings it was made with (incrementally from the version before, after an edit).
  std::shared_future<std::shared_ptr<const SyntaxTree>> parsed;
  /// Whether `tree()` and the memo are ready without waiting.
  bool analysed() const {
    return !parsed.valid() || parsed.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  }
  /// The serial executor that analyses this document's versions, in order (empty: at once).
  /// Work given to it after the snapshot was made runs after its analysis.
  std::function<void(std::function<void()>)> executor;

  /// The functions of this snapshot as core extracted them, once per settings generation, and
  /// shared by diagnostics, code actions and hover (features/diagnostics.cpp).
  struct FunctionsMemo {
    std::mutex mutex;
    bool valid = false;
    uint64_t generation = 0;
    std::shared_ptr<const ExtractedText> extracted;  // the one extraction of this snapshot
    std::vector<FunctionOutcome> functions;          // check_extracted(*extracted)
    /// Held while core reads `extracted`'s tree (trees are read by one thread at a time).
    std::mutex tree_mutex;
  };
  std::shared_ptr<FunctionsMemo> memo = std::make_shared<FunctionsMemo>();

  FileLocation location() const { return {root, relative}; }
};

/// Runs a document's analyses: on a serial executor (tasks run one at a time, in the order
/// given), or at once when empty. An analysis waits only for the ones given to the same
/// executor before it: one executor per document lets documents be analysed side by side.
using ParseExecutor = std::function<void(std::function<void()>)>;

/// Builds a snapshot; `root` is the innermost workspace folder containing the path. The text is
/// parsed through `parse` (at once when it is empty), then its functions are extracted for
/// `settings` when given.
std::shared_ptr<const DocumentSnapshot> make_snapshot(std::string uri, int version,
                                                      std::string text,
                                                      const std::filesystem::path& root,
                                                      const ParseExecutor& parse = {},
                                                      const ServerSettings* settings = nullptr);

/// The snapshot after `changes` (from protocol::apply_content_changes) to `before`: the tree is
/// re-parsed incrementally from before's tree, through `parse` (the same serial executor that
/// analysed `before`, or empty), and when `settings` are given the functions are extracted
/// again only where the edit touched them (extract_text_after_edits), from before's extraction
/// when it was made for the same settings.
std::shared_ptr<const DocumentSnapshot> edit_snapshot(const DocumentSnapshot& before, int version,
                                                      protocol::AppliedChanges changes,
                                                      const ParseExecutor& parse = {},
                                                      const ServerSettings* settings = nullptr);

/// Fills `memo` (its mutex held by the caller) with the functions of `document` for
/// `settings`, unless it holds them already: one extraction walk of the document's own tree.
/// The caller waits for `document.tree()` before it takes the mutex (the analysis holds it
/// until the tree is published).
void fill_functions_memo(DocumentSnapshot::FunctionsMemo& memo, const DocumentSnapshot& document,
                         const ServerSettings& settings);

/// The path of a `file://` URI (percent-decoded), or nothing for other schemes.
std::optional<std::filesystem::path> path_from_uri(std::string_view uri);
/// The `file://` URI of an absolute path (percent-encoding what RFC 3986 requires).
std::string uri_from_path(const std::filesystem::path& path);

}  // namespace telinject::server
