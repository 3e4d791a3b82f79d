#include "features/edits.h"

#include <algorithm>

#include "atomic_file.h"

namespace telinject::server {

TextResult transform_document(const DocumentSnapshot& document, Action action,
                              const std::vector<std::string>* only, const ServerSettings& settings,
                              ScriptCache* cache) {
  if (!document.language) {
    TextResult none;
    none.output = document.text;
    none.outcome.status = FileOutcome::Status::kSkipped;
    none.outcome.message = "no telinject support for this language";
    return none;
  }
  return process_text(document.text, document.location(), *document.language, action,
                      settings.config, cache, nullptr, only);
}

lsp::TextEdit minimal_edit(const DocumentSnapshot& document, const std::string& after,
                           protocol::PositionEncoding encoding) {
  const std::string& before = document.text;
  size_t prefix = 0;
  size_t limit = std::min(before.size(), after.size());
  while (prefix < limit && before[prefix] == after[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < limit - prefix &&
         before[before.size() - 1 - suffix] == after[after.size() - 1 - suffix])
    ++suffix;
  // Never split a UTF-8 sequence or a "\r\n": move both ends outwards to a boundary (the bytes
  // moved over are equal in both texts, so the edit stays exact).
  auto inside = [&](size_t offset) {
    return offset > 0 && offset < before.size() &&
           ((static_cast<unsigned char>(before[offset]) & 0xC0) == 0x80 ||
            (before[offset] == '\n' && before[offset - 1] == '\r'));
  };
  while (inside(prefix)) --prefix;
  size_t end = before.size() - suffix;
  while (inside(end)) ++end;
  suffix = before.size() - end;
  lsp::TextEdit edit;
  edit.range = {document.lines.position(prefix, encoding),
                document.lines.position(before.size() - suffix, encoding)};
  edit.new_text = after.substr(prefix, after.size() - suffix - prefix);
  return edit;
}

std::vector<std::pair<std::filesystem::path, std::string>> missing_helpers(
    const DocumentSnapshot& document, const ServerSettings& settings) {
  std::vector<std::pair<std::filesystem::path, std::string>> missing;
  if (!document.language) return missing;
  auto templates = templates_for(*document.language, settings.config);
  if (!templates.ok() || !templates->front().needs_runtime) return missing;
  for (const RuntimeFile& helper : document.language->runtime(document.location())) {
    std::filesystem::path target = document.root / helper.relative_path;
    std::error_code ec;
    if (!std::filesystem::exists(target, ec)) missing.emplace_back(target, std::string(helper.content));
  }
  return missing;
}

Result<std::vector<std::filesystem::path>> write_missing_helpers(const DocumentSnapshot& document,
                                                                 const ServerSettings& settings) {
  std::vector<std::filesystem::path> written;
  for (const auto& [path, content] : missing_helpers(document, settings)) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    auto result = write_file_atomically(path, content);
    if (!result.ok()) return make_error(path.string() + ": " + result.error());
    written.push_back(path);
  }
  return written;
}

lsp::WorkspaceEdit workspace_edit(const DocumentSnapshot& document, const std::string& after,
                                  Action action, const ServerSettings& settings,
                                  const EditSupport& support, protocol::PositionEncoding encoding) {
  lsp::WorkspaceEdit edit;
  std::vector<lsp::TextEdit> text_edits;
  if (after != document.text) text_edits.push_back(minimal_edit(document, after, encoding));

  // The helper files the builtin profile imports, created beside the project's code.
  std::vector<std::pair<std::filesystem::path, std::string>> helpers;
  if (action == Action::kInstrument && after != document.text)
    helpers = missing_helpers(document, settings);

  if (support.document_changes) {
    std::vector<lsp::DocumentChange> changes;
    for (const auto& [path, content] : support.create_files ? helpers : decltype(helpers){}) {
      lsp::CreateFile create;
      create.uri = uri_from_path(path);
      create.options = lsp::CreateFileOptions{std::nullopt, true};
      changes.emplace_back(create);
      lsp::TextDocumentEdit fill;
      fill.text_document.uri = create.uri;
      fill.edits.push_back({{{0, 0}, {0, 0}}, content});
      changes.emplace_back(fill);
    }
    if (!text_edits.empty()) {
      lsp::TextDocumentEdit own;
      own.text_document.uri = document.uri;
      own.text_document.version = document.version;
      own.edits = std::move(text_edits);
      changes.emplace_back(own);
    }
    edit.document_changes = std::move(changes);
  } else {
    std::map<std::string, std::vector<lsp::TextEdit>> changes;
    if (!text_edits.empty()) changes[document.uri] = std::move(text_edits);
    edit.changes = std::move(changes);
  }
  return edit;
}

}  // namespace telinject::server
