#include "ignore_comments.h"

namespace telinject {

IgnoreComments find_ignore_comments(const SourceText& source,
                                    std::initializer_list<std::string_view> markers) {
  IgnoreComments found;
  std::string_view text = source.text();
  constexpr std::string_view kMark = "telinject: ignore";
  for (size_t at = text.find(kMark); at != std::string_view::npos;
       at = text.find(kMark, at + kMark.size())) {
    uint32_t row = source.row_of(static_cast<uint32_t>(at));
    std::string_view line = source.row_text(row);
    std::string_view before = line.substr(0, at - source.row_start(row));
    size_t comment = std::string_view::npos;
    for (std::string_view marker : markers) comment = std::min(comment, before.find(marker));
    if (comment == std::string_view::npos) continue;
    if (text.substr(at + kMark.size(), 5) == "-file") found.file = true;
    found.rows.push_back(row);
    found.offsets.push_back(static_cast<uint32_t>(at));
    found.whole_row.push_back(line.find_first_not_of(" \t") == comment);
  }
  return found;
}

}  // namespace telinject
