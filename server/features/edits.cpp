#include "features/edits.h"

#include <algorithm>

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
  return process_text(document.text, document.relative, *document.language, action,
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

lsp::WorkspaceEdit workspace_edit(const DocumentSnapshot& document, const std::string& after,
                                  Action action, const ServerSettings& settings,
                                  const EditSupport& support, protocol::PositionEncoding encoding) {
  lsp::WorkspaceEdit edit;
  std::vector<lsp::TextEdit> text_edits;
  if (after != document.text) text_edits.push_back(minimal_edit(document, after, encoding));

  // The helper module the builtin profile imports, created beside the project's code.
  std::optional<std::pair<std::string, std::string>> helper;  // uri, content
  if (action == Action::kInstrument && document.language && after != document.text) {
    auto templates = templates_for(*document.language, settings.config);
    if (templates.ok() && templates->front().needs_runtime) {
      RuntimeFile runtime = document.language->runtime();
      std::filesystem::path target = document.root / runtime.relative_path;
      std::error_code ec;
      if (!std::filesystem::exists(target, ec))
        helper = {uri_from_path(target), std::string(runtime.content)};
    }
  }

  if (support.document_changes) {
    std::vector<lsp::DocumentChange> changes;
    if (helper && support.create_files) {
      lsp::CreateFile create;
      create.uri = helper->first;
      create.options = lsp::CreateFileOptions{std::nullopt, true};
      changes.emplace_back(create);
      lsp::TextDocumentEdit fill;
      fill.text_document.uri = helper->first;
      fill.edits.push_back({{{0, 0}, {0, 0}}, helper->second});
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
