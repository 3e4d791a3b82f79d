#include "text_document.h"

#include <algorithm>
#include <limits>

namespace telinject::protocol {
namespace {

// The point reached from `start` after `inserted`.
TextPoint point_after(TextPoint start, std::string_view inserted) {
  std::size_t last_newline = inserted.rfind('\n');
  if (last_newline == std::string_view::npos)
    return {start.row, start.column + static_cast<uint32_t>(inserted.size())};
  auto rows = static_cast<uint32_t>(std::count(inserted.begin(), inserted.end(), '\n'));
  return {start.row + rows, static_cast<uint32_t>(inserted.size() - last_newline - 1)};
}

std::string describe(const lsp::Position& position) {
  return std::to_string(position.line) + ":" + std::to_string(position.character);
}

}  // namespace

TextPoint text_point(std::string_view text, std::size_t offset) {
  return point_after({0, 0}, text.substr(0, std::min(offset, text.size())));
}

bool apply_content_changes(std::string_view text,
                           const std::vector<lsp::TextDocumentContentChangeEvent>& changes,
                           PositionEncoding encoding, AppliedChanges* out, std::string* error) {
  constexpr std::size_t kLimit = std::numeric_limits<uint32_t>::max();
  std::string current(text);
  std::vector<ByteEdit> edits;
  edits.reserve(changes.size());
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const lsp::TextDocumentContentChangeEvent& change = changes[i];
    ByteEdit edit;
    if (change.range) {
      const lsp::Range& range = *change.range;
      if (range.end < range.start) {
        *error = "change " + std::to_string(i) + ": range ends (" + describe(range.end) +
                 ") before it starts (" + describe(range.start) + ")";
        return false;
      }
      LineIndex index(current);
      std::size_t start = index.byte_offset(range.start, encoding);
      std::size_t end = index.byte_offset(range.end, encoding);
      if (current.size() - (end - start) + change.text.size() >= kLimit) {
        *error = "change " + std::to_string(i) + ": the document would reach 4 GiB";
        return false;
      }
      edit.start_byte = static_cast<uint32_t>(start);
      edit.old_end_byte = static_cast<uint32_t>(end);
      edit.new_end_byte = static_cast<uint32_t>(start + change.text.size());
      edit.start_point = text_point(current, start);
      edit.old_end_point =
          point_after(edit.start_point, std::string_view(current).substr(start, end - start));
      edit.new_end_point = point_after(edit.start_point, change.text);
      current.replace(start, end - start, change.text);
    } else {
      if (change.text.size() >= kLimit) {
        *error = "change " + std::to_string(i) + ": the document would reach 4 GiB";
        return false;
      }
      edit.old_end_byte = static_cast<uint32_t>(current.size());
      edit.new_end_byte = static_cast<uint32_t>(change.text.size());
      edit.old_end_point = text_point(current, current.size());
      edit.new_end_point = text_point(change.text, change.text.size());
      edit.replaced_whole_text = true;
      current = change.text;
    }
    edits.push_back(edit);
  }
  out->text = std::move(current);
  out->edits = std::move(edits);
  return true;
}

}  // namespace telinject::protocol
