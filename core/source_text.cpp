#include "source_text.h"

#include <algorithm>
#include <map>

namespace telinject {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Most common positive difference in leading whitespace between consecutive non-blank rows.
std::string detect_indent_unit(const SourceText& source) {
  std::map<std::string, int> votes;
  std::string_view previous;
  for (uint32_t row = 0; row < source.row_count(); ++row) {
    if (source.row_is_blank(row)) continue;
    std::string_view indent = source.row_indent(row);
    if (indent.size() > previous.size() && indent.substr(0, previous.size()) == previous) {
      std::string step(indent.substr(previous.size()));
      if (step.find_first_not_of(step[0]) == std::string::npos) ++votes[step];
    }
    previous = indent;
  }
  std::string best = "    ";
  int best_votes = 0;
  for (const auto& [step, count] : votes) {
    if (count > best_votes) best = step, best_votes = count;
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
  for (size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] != '\n') continue;
    (i > 0 && text_[i - 1] == '\r') ? ++crlf : ++lf;
    row_starts_.push_back(static_cast<uint32_t>(i + 1));
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
  size_t n = line.find_first_not_of(" \t");
  return line.substr(0, n == std::string_view::npos ? line.size() : n);
}

bool SourceText::row_is_blank(uint32_t row) const {
  return row_text(row).find_first_not_of(" \t\f") == std::string_view::npos;
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
