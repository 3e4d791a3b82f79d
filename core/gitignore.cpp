#include "gitignore.h"

#include "atomic_file.h"
#include "glob.h"

namespace telinject {

size_t GitignoreRules::push_file(const std::filesystem::path& file,
                                 const std::filesystem::path& base_dir) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return 0;
  auto text = read_file(file);
  return text.ok() ? push_text(*text, base_dir) : 0;
}

size_t GitignoreRules::push_text(const std::string& text, const std::filesystem::path& base_dir) {
  std::string base = base_dir.generic_string();
  if (base.empty() || base.back() != '/') base.push_back('/');
  size_t added = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // Trailing spaces are dropped unless escaped.
    while (!line.empty() && line.back() == ' ' && !(line.size() > 1 && line[line.size() - 2] == '\\'))
      line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    Rule rule;
    rule.base = base;
    if (line[0] == '!') {
      rule.negate = true;
      line.erase(0, 1);
    } else if (line[0] == '\\' && line.size() > 1 && (line[1] == '#' || line[1] == '!')) {
      line.erase(0, 1);
    }
    if (!line.empty() && line.back() == '/') {
      rule.directory_only = true;
      line.pop_back();
    }
    if (line.empty()) continue;
    bool anchored = line.find('/') != std::string::npos;
    if (line[0] == '/') line.erase(0, 1);
    rule.pattern = anchored ? line : "**/" + line;
    rules_.push_back(std::move(rule));
    ++added;
    if (start > text.size()) break;
  }
  return added;
}

void GitignoreRules::pop(size_t count) { rules_.resize(rules_.size() - count); }

bool GitignoreRules::ignored(const std::string& path, bool is_directory) const {
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
    if (it->directory_only && !is_directory) continue;
    if (path.size() <= it->base.size() || path.compare(0, it->base.size(), it->base) != 0) continue;
    std::string_view relative = std::string_view(path).substr(it->base.size());
    if (glob_match(it->pattern, relative)) return !it->negate;
  }
  return false;
}

}  // namespace telinject
