// What every language shares.
#include "language.h"

namespace telinject {

std::vector<size_t> telemetry_to_remove(const std::vector<FunctionInfo>& functions,
                                        const std::vector<size_t>& selected, size_t* remaining) {
  std::vector<bool> chosen(functions.size(), selected.empty());
  for (size_t i : selected) chosen.at(i) = true;
  std::vector<size_t> out;
  *remaining = 0;
  for (size_t i = 0; i < functions.size(); ++i) {
    if (functions[i].state != FunctionState::kInstrumented) continue;
    if (chosen[i])
      out.push_back(i);
    else
      ++*remaining;
  }
  return out;
}

bool matches_row_pattern(std::string_view row, std::string_view pattern) {
  std::vector<std::string_view> pieces;
  size_t begin = 0;
  for (size_t open = pattern.find('{'); open != std::string_view::npos;
       open = pattern.find('{', open + 1)) {
    size_t close = pattern.find('}', open);
    if (close == std::string_view::npos) break;
    std::string_view inside = pattern.substr(open + 1, close - open - 1);
    if (inside.empty() ||
        inside.find_first_not_of("abcdefghijklmnopqrstuvwxyz") != std::string_view::npos)
      continue;
    pieces.push_back(pattern.substr(begin, open - begin));
    begin = close + 1;
  }
  pieces.push_back(pattern.substr(begin));
  if (row.find('\n') != std::string_view::npos) return false;
  if (pieces.size() == 1) return row == pattern;
  if (row.substr(0, pieces.front().size()) != pieces.front()) return false;
  size_t at = pieces.front().size();
  for (size_t i = 1; i + 1 < pieces.size(); ++i) {
    if (pieces[i].empty()) continue;
    at = row.find(pieces[i], at);
    if (at == std::string_view::npos) return false;
    at += pieces[i].size();
  }
  std::string_view last = pieces.back();
  return row.size() >= at + last.size() && row.substr(row.size() - last.size()) == last;
}

}  // namespace telinject
