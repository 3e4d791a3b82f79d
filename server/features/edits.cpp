#include "features/edits.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <unordered_map>

#include "atomic_file.h"
#include "features/functions.h"
#include "features/llm_documents.h"
#include "llm_service.h"
#include "unified_diff.h"

namespace telinject::server {

TextResult transform_document(const DocumentSnapshot& document, Action action,
                              const std::vector<std::string>* only, const ServerSettings& settings,
                              ScriptCache* cache) {
  // LLM: languages without a grammar (issue 12 item 2).
  if (!document.language) return transform_llm_document(document, action, only, settings, cache);
  // The snapshot's extraction (of the document's own parse, which also makes validation's
  // re-parse incremental), shared with diagnostics and hover: no parse, no extraction walk.
  std::shared_ptr<const ExtractedText> extracted = document_extraction(document, settings);
  std::lock_guard lock(document.memo->tree_mutex);
  return process_extracted(*extracted, action, cache, nullptr, only,
                           settings.llm ? settings.llm->text_hooks() : LlmHooks{});  // LLM
}

namespace {

// Lines split as line_changes splits them: at '\n', each with its '\n'.
struct Lines {
  std::vector<std::string_view> text;
  std::vector<size_t> start;  // byte offset of each line; one more entry: the text's size
};

Lines split_lines(std::string_view text) {
  Lines lines;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    end = end == std::string_view::npos ? text.size() : end + 1;
    lines.text.push_back(text.substr(at, end - at));
    lines.start.push_back(at);
    at = end;
  }
  lines.start.push_back(text.size());
  return lines;
}

// line_changes, anchored first on the lines that occur exactly once in each text (patience
// diff): the longest increasing run of such pairs, found in O(n log n), splits the texts into
// small gaps, and Myers runs on each gap alone. Myers alone is O(N*D): instrumenting a whole
// file changes a few lines in every function, so D grows with N and a 16k-function file took
// seconds. Texts without unique lines still get Myers whole.
std::vector<LineChange> anchored_line_changes(std::string_view before, std::string_view after) {
  Lines a = split_lines(before), b = split_lines(after);
  struct Seen {
    size_t in_a = 0, in_b = 0, line_a = 0, line_b = 0;
  };
  std::unordered_map<std::string_view, Seen> seen;
  seen.reserve(a.text.size() + b.text.size());
  for (size_t i = 0; i < a.text.size(); ++i) {
    Seen& s = seen[a.text[i]];
    ++s.in_a, s.line_a = i;
  }
  for (size_t j = 0; j < b.text.size(); ++j) {
    Seen& s = seen[b.text[j]];
    ++s.in_b, s.line_b = j;
  }
  // Unique pairs in the order of `a`; then the longest run increasing in `b` (patience sort).
  std::vector<std::pair<size_t, size_t>> pairs;
  for (size_t i = 0; i < a.text.size(); ++i) {
    const Seen& s = seen[a.text[i]];
    if (s.in_a == 1 && s.in_b == 1) pairs.emplace_back(i, s.line_b);
  }
  std::vector<size_t> tails;                             // index in pairs of each pile's top
  std::vector<size_t> previous(pairs.size(), SIZE_MAX);  // back links
  for (size_t p = 0; p < pairs.size(); ++p) {
    auto pile = std::lower_bound(tails.begin(), tails.end(), pairs[p].second,
                                 [&](size_t top, size_t line) { return pairs[top].second < line; });
    if (pile != tails.begin()) previous[p] = *(pile - 1);
    if (pile == tails.end())
      tails.push_back(p);
    else
      *pile = p;
  }
  std::vector<std::pair<size_t, size_t>> anchors;
  for (size_t p = tails.empty() ? SIZE_MAX : tails.back(); p != SIZE_MAX; p = previous[p])
    anchors.push_back(pairs[p]);
  std::reverse(anchors.begin(), anchors.end());
  anchors.emplace_back(a.text.size(), b.text.size());  // the end, as a last anchor

  std::vector<LineChange> changes;
  size_t i = 0, j = 0;
  for (auto [anchor_a, anchor_b] : anchors) {
    if (anchor_a > i || anchor_b > j) {
      std::string_view gap_a = before.substr(a.start[i], a.start[anchor_a] - a.start[i]);
      std::string_view gap_b = after.substr(b.start[j], b.start[anchor_b] - b.start[j]);
      for (LineChange change : line_changes(gap_a, gap_b)) {
        change.old_start += i;
        change.new_start += j;
        changes.push_back(change);
      }
    }
    i = anchor_a + 1, j = anchor_b + 1;
  }
  return changes;
}

}  // namespace

std::vector<lsp::TextEdit> minimal_edits(const DocumentSnapshot& document, const std::string& after,
                                         protocol::PositionEncoding encoding) {
  const std::string& before = document.text;
  std::vector<lsp::TextEdit> edits;
  protocol::LineIndex after_lines(after);
  for (const LineChange& change : anchored_line_changes(before, after)) {
    // The changed lines, then only the bytes that differ inside them.
    size_t old_begin = document.lines.line_start(change.old_start);
    size_t old_end = document.lines.line_start(change.old_start + change.old_count);
    size_t new_begin = after_lines.line_start(change.new_start);
    size_t new_end = after_lines.line_start(change.new_start + change.new_count);
    size_t prefix = 0;
    while (old_begin + prefix < old_end && new_begin + prefix < new_end &&
           before[old_begin + prefix] == after[new_begin + prefix])
      ++prefix;
    size_t suffix = 0;
    while (old_end - suffix > old_begin + prefix && new_end - suffix > new_begin + prefix &&
           before[old_end - 1 - suffix] == after[new_end - 1 - suffix])
      ++suffix;
    // Never split a UTF-8 sequence or a "\r\n": move both ends outwards to a boundary (the
    // bytes moved over are equal in both texts, so the edit stays exact).
    auto inside = [&](size_t offset) {
      return offset > 0 && offset < before.size() &&
             ((static_cast<unsigned char>(before[offset]) & 0xC0) == 0x80 ||
              (before[offset] == '\n' && before[offset - 1] == '\r'));
    };
    size_t start = old_begin + prefix, end = old_end - suffix;
    while (inside(start)) --start, --prefix;
    while (inside(end)) ++end, --suffix;
    lsp::TextEdit edit;
    edit.range = {document.lines.position(start, encoding), document.lines.position(end, encoding)};
    edit.new_text = after.substr(new_begin + prefix, (new_end - suffix) - (new_begin + prefix));
    edits.push_back(std::move(edit));
  }
  return edits;
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
    if (!std::filesystem::exists(target, ec))
      missing.emplace_back(target, std::string(helper.content));
  }
  return missing;
}

Result<std::vector<std::filesystem::path>> write_missing_helpers(const DocumentSnapshot& document,
                                                                 const ServerSettings& settings) {
  std::vector<std::filesystem::path> written;
  std::error_code exists_error;
  // A buffer whose folder is not on disk (a workspace folder that does not exist, an unsaved
  // path) gets no folders made for its helper: the server creates nothing outside existing
  // folders.
  if (!std::filesystem::is_directory(document.path.parent_path(), exists_error) ||
      !std::filesystem::is_directory(document.root, exists_error)) {
    if (missing_helpers(document, settings).empty()) return written;
    return make_error(document.path.parent_path().string() +
                      ": the document's folder does not exist; the helper module was not written");
  }
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
  if (after != document.text) text_edits = minimal_edits(document, after, encoding);

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
