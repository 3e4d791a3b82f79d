#include "features/workspace_instrument.h"

#include <algorithm>
#include <set>

#include "llm_service.h"
#include "pipeline.h"
#include "scanner.h"

namespace telinject::server {
namespace {

namespace fs = std::filesystem;

// True for the runtime helper that instrumented files import (telinject_runtime.py): tracing it
// would make every span trace its own implementation.
bool is_runtime_helper(const ScannedFile& file) {
  for (const RuntimeFile& helper : file.language->runtime({file.root, file.relative}))
    if (file.relative == helper.relative_path) return true;
  return false;
}

fs::path normal(const fs::path& path) {
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  return (ec ? path : absolute).lexically_normal();
}

// One helper per root is enough, however many open documents asked for it: the first creation
// and its content stay, later copies go.
std::vector<lsp::DocumentChange> without_repeated_helpers(
    std::vector<lsp::DocumentChange> changes) {
  std::set<std::string> created;
  std::vector<lsp::DocumentChange> unique;
  for (auto& change : changes) {
    if (auto* create = std::get_if<lsp::CreateFile>(&change)) {
      if (!created.insert(create->uri).second) continue;
    } else if (auto* text_edit = std::get_if<lsp::TextDocumentEdit>(&change)) {
      if (!text_edit->text_document.version && created.count(text_edit->text_document.uri) &&
          text_edit->edits.size() == 1 && text_edit->edits[0].range.end.line == 0 &&
          std::any_of(unique.begin(), unique.end(), [&](const lsp::DocumentChange& c) {
            auto* other = std::get_if<lsp::TextDocumentEdit>(&c);
            return other && other->text_document.uri == text_edit->text_document.uri;
          }))
        continue;
    }
    unique.push_back(std::move(change));
  }
  return unique;
}

}  // namespace

WorkspaceInstrumentResult instrument_workspace(const std::vector<WorkspaceFolderRun>& folders,
                                               const OpenDocument& open_document,
                                               const EditSupport& support,
                                               protocol::PositionEncoding encoding,
                                               const std::atomic<bool>& cancelled,
                                               const WorkspaceProgress& progress) {
  WorkspaceInstrumentResult result;
  std::vector<lsp::DocumentChange> changes;
  std::map<std::string, std::vector<lsp::TextEdit>> plain;
  for (size_t index = 0; index < folders.size(); ++index) {
    const WorkspaceFolderRun& folder = folders[index];
    std::error_code ec;
    if (!fs::is_directory(folder.root, ec)) continue;
    ScanOptions scan_options;
    scan_options.include = folder.settings.config.include;
    scan_options.exclude = folder.settings.config.exclude;
    scan_options.max_file_bytes = folder.settings.config.max_file_bytes;
    ScanResult scan = scan_paths({folder.root}, LanguageRegistry::instance(), scan_options);

    // The open documents of this folder, through the editor.
    std::set<fs::path> open_paths;
    for (const ScannedFile& file : scan.files) {
      if (cancelled) break;
      auto document = open_document(uri_from_path(normal(file.path)));
      if (!document) continue;
      open_paths.insert(normal(file.path));
      if (file.language && is_runtime_helper(file)) continue;
      TextResult transformed = transform_document(*document, Action::kInstrument, nullptr,
                                                  folder.settings, folder.cache);
      if (transformed.outcome.status == FileOutcome::Status::kError) {
        result.problems.push_back(file.path.string() + ": " + transformed.outcome.message);
        continue;
      }
      if (transformed.output == document->text) continue;
      ++result.files_changed;
      result.functions += transformed.outcome.instrumented;
      if (!(support.document_changes && support.create_files)) {
        auto written = write_missing_helpers(*document, folder.settings);
        if (!written.ok()) result.problems.push_back("helper module: " + written.error());
      }
      lsp::WorkspaceEdit one = workspace_edit(*document, transformed.output, Action::kInstrument,
                                              folder.settings, support, encoding);
      if (one.document_changes)
        for (auto& change : *one.document_changes) changes.push_back(std::move(change));
      if (one.changes)
        for (auto& [uri, edits] : *one.changes) plain[uri] = std::move(edits);
    }

    // The other files, on disk, as the CLI writes them.
    RunOptions run;
    run.action = Action::kInstrument;
    run.paths = {folder.root};
    run.config = folder.settings.config;
    run.leave_alone = [&](const fs::path& path) { return open_paths.count(normal(path)) > 0; };
    run.cancelled = &cancelled;
    if (folder.settings.llm) {  // LLM: grammar-less files listed, failing scripts repaired
      run.analyzer = folder.settings.llm.get();
      run.repairer = folder.settings.llm->text_hooks().repairer;
      run.llm = &folder.settings.llm->meter();
    }
    run.progress = [&](size_t done, size_t total, const fs::path& file) {
      if (!progress || total == 0) return;
      double share = (static_cast<double>(index) + static_cast<double>(done) / total) /
                     static_cast<double>(folders.size());
      std::error_code relative_error;
      fs::path shown = fs::relative(file, folder.root, relative_error);
      progress(static_cast<int>(100 * share), (relative_error ? file : shown).string());
    };
    RunReport report = run_pipeline(run, folder.cache);
    result.files_changed += report.files_changed;
    result.files_written += report.files_changed;
    result.functions += report.functions_instrumented;
    for (const auto& [path, message] : report.errors)
      result.problems.push_back(path + ": " + message);
    if (cancelled) {
      result.cancelled = true;
      return result;
    }
  }
  if (cancelled) {
    result.cancelled = true;
    return result;
  }
  result.has_edits = !changes.empty() || !plain.empty();
  if (support.document_changes)
    result.edit.document_changes = without_repeated_helpers(std::move(changes));
  else
    result.edit.changes = std::move(plain);
  return result;
}

}  // namespace telinject::server
