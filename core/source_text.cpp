#include "source_text.h"

#include <algorithm>
#include <cstring>

namespace telinject {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Most common positive difference in leading whitespace between consecutive non-blank rows,
// counting only steps made of one repeated character. Ties go to tabs before spaces and to the
// shorter step (the order of the strings themselves). Runs once per file: no allocation per row.
std::string detect_indent_unit(const SourceText& source) {
  constexpr size_t kLongest = 64;        // a longer step is no indentation unit
  uint32_t votes[2][kLongest + 1] = {};  // [tab, space][length]
  std::string_view previous;
  for (uint32_t row = 0; row < source.row_count(); ++row) {
    if (source.row_is_blank(row)) continue;
    std::string_view indent = source.row_indent(row);
    if (indent.size() > previous.size() && indent.size() - previous.size() <= kLongest &&
        indent.substr(0, previous.size()) == previous) {
      std::string_view step = indent.substr(previous.size());
      if (step.find_first_not_of(step[0]) == std::string_view::npos)
        ++votes[step[0] == ' '][step.size()];
    }
    previous = indent;
  }
  std::string best = "    ";
  uint32_t best_votes = 0;
  for (int space = 0; space < 2; ++space)
    for (size_t length = 1; length <= kLongest; ++length)
      if (votes[space][length] > best_votes) {
        best_votes = votes[space][length];
        best.assign(length, space ? ' ' : '\t');
      }
  return best;
}

}  // namespace

SourceText::SourceText(std::string bytes) : text_(std::move(bytes)) {
  if (std::string_view(text_).substr(0, kBom.size()) == kBom) {
    has_bom_ = true;
    text_.erase(0, kBom.size());
  }
  row_starts_.push_back(0);
  size_t crlf = 0, lf = 0;
  const char* begin = text_.data();
  const char* end = begin + text_.size();
  for (const char* p = begin; (p = static_cast<const char*>(std::memchr(p, '\n', end - p)));) {
    (p > begin && p[-1] == '\r') ? ++crlf : ++lf;
    row_starts_.push_back(static_cast<uint32_t>(++p - begin));
  }
  uses_crlf_ = crlf > lf;
  indent_unit_ = detect_indent_unit(*this);
}

std::string_view SourceText::row_text(uint32_t row) const {
  size_t begin = row_starts_[row];
  size_t end = row + 1 < row_starts_.size() ? row_starts_[row + 1] - 1 : text_.size();
  if (end > begin && text_[end - 1] == '\r') --end;
  return std::string_view(text_).substr(begin, end - begin);
}

std::string_view SourceText::row_indent(uint32_t row) const {
  std::string_view line = row_text(row);
  size_t n = 0;  // a loop, not find_first_not_of: this runs for every row, many times per file
  while (n < line.size() && (line[n] == ' ' || line[n] == '\t')) ++n;
  return line.substr(0, n);
}

bool SourceText::row_is_blank(uint32_t row) const {
  for (char c : row_text(row))
    if (c != ' ' && c != '\t' && c != '\f') return false;
  return true;
}

uint32_t SourceText::row_of(uint32_t offset) const {
  auto it = std::upper_bound(row_starts_.begin(), row_starts_.end(), offset);
  return static_cast<uint32_t>(it - row_starts_.begin() - 1);
}

std::string SourceText::restore(std::string_view body) const {
  std::string out;
  out.reserve(body.size() + (has_bom_ ? kBom.size() : 0));
  if (has_bom_) out.append(kBom);
  out.append(body);
  return out;
}

std::string SourceText::localize_newlines(std::string_view generated) const {
  if (!uses_crlf_) return std::string(generated);
  std::string out;
  out.reserve(generated.size() + 8);
  for (char c : generated) {
    if (c == '\n') out.push_back('\r');
    out.push_back(c);
  }
  return out;
}

bool apply_edits(std::string_view text, std::vector<TextEdit> edits, std::string* out) {
  std::stable_sort(edits.begin(), edits.end(),
                   [](const TextEdit& a, const TextEdit& b) { return a.offset < b.offset; });
  size_t extra = 0;
  for (const auto& e : edits) extra += e.insert.size();
  out->clear();
  out->reserve(text.size() + extra);
  size_t cursor = 0;
  for (const auto& e : edits) {
    if (e.offset < cursor || e.offset + size_t{e.remove_length} > text.size()) return false;
    out->append(text.substr(cursor, e.offset - cursor));
    out->append(e.insert);
    cursor = e.offset + e.remove_length;
  }
  out->append(text.substr(cursor));
  return true;
}

}  // namespace telinject
