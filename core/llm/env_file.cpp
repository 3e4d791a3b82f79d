#include "llm/env_file.h"

#include <set>
#include <string_view>

namespace telinject::llm {
namespace {

std::string quoted(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  return out + "\"";
}

// The variable a .env line assigns, or "".
std::string assigned_name(std::string_view line) {
  size_t first = line.find_first_not_of(" \t");
  if (first == std::string_view::npos || line[first] == '#') return "";
  line.remove_prefix(first);
  if (line.substr(0, 7) == "export " || line.substr(0, 7) == "export\t") {
    size_t next = line.find_first_not_of(" \t", 7);
    if (next == std::string_view::npos) return "";
    line.remove_prefix(next);
  }
  size_t equals = line.find('=');
  if (equals == std::string_view::npos) return "";
  std::string_view name = line.substr(0, equals);
  return std::string(name.substr(0, name.find_last_not_of(" \t") + 1));
}

}  // namespace

std::string update_dotenv_text(const std::string& existing,
                               const std::vector<std::pair<std::string, std::string>>& values) {
  std::string out;
  std::set<std::string> written;
  std::string_view rest = existing;
  while (!rest.empty()) {
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end == std::string_view::npos ? rest.size() : end + 1);
    rest.remove_prefix(line.size());
    std::string name = assigned_name(line);
    bool replaced = false;
    for (const auto& [key, value] : values) {
      if (key != name) continue;
      if (!written.count(key)) out += key + "=" + quoted(value) + "\n";
      written.insert(key);  // a second assignment of the same key is dropped
      replaced = true;
    }
    if (!replaced) out += line;
  }
  if (!out.empty() && out.back() != '\n') out += '\n';
  for (const auto& [key, value] : values)
    if (!written.count(key)) out += key + "=" + quoted(value) + "\n";
  return out;
}

}  // namespace telinject::llm
