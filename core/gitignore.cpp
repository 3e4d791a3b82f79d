#include "gitignore.h"

#include <fstream>

#include "atomic_file.h"

namespace telinject {
namespace {

namespace fs = std::filesystem;

// Git drops trailing spaces unless the last one is escaped ("foo\ " keeps "foo\ ", which the
// glob reads as "foo ").
std::string_view trim_trailing_spaces(std::string_view line) {
  while (!line.empty() && line.back() == ' ') {
    size_t backslashes = 0;
    for (size_t i = line.size() - 1; i > 0 && line[i - 1] == '\\'; --i) ++backslashes;
    if (backslashes % 2 == 1) break;
    line.remove_suffix(1);
  }
  return line;
}

std::optional<std::string> first_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

// The directory holding info/exclude for `work_tree`: `.git`, or where a `.git` file points
// ("gitdir: ..."), and for a linked worktree its "commondir".
std::optional<fs::path> common_git_directory(const fs::path& work_tree) {
  fs::path git_dir = work_tree / ".git";
  std::error_code ec;
  if (fs::is_regular_file(git_dir, ec)) {
    std::optional<std::string> line = first_line(git_dir);
    constexpr std::string_view kPrefix = "gitdir: ";
    if (!line || line->compare(0, kPrefix.size(), kPrefix) != 0) return std::nullopt;
    fs::path target = line->substr(kPrefix.size());
    git_dir = target.is_absolute() ? target : work_tree / target;
  } else if (!fs::is_directory(git_dir, ec)) {
    return std::nullopt;
  }
  if (std::optional<std::string> common = first_line(git_dir / "commondir")) {
    fs::path target = *common;
    git_dir = target.is_absolute() ? target : git_dir / target;
  }
  return git_dir.lexically_normal();
}

}  // namespace

size_t GitignoreRules::push_file(const fs::path& file, const fs::path& base_dir) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return 0;
  Result<std::string> text = read_file(file);
  return text.ok() ? push_text(*text, base_dir) : 0;
}

size_t GitignoreRules::push_text(std::string_view text, const fs::path& base_dir) {
  std::string base = base_dir.generic_string();
  if (base.empty() || base.back() != '/') base.push_back('/');
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  size_t added = 0;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = trim_trailing_spaces(line);
    if (line.empty() || line.front() == '#') continue;
    bool negate = line.front() == '!';
    if (negate) line.remove_prefix(1);
    std::optional<PathGlob> glob = parse_path_glob(line);
    if (!glob) continue;
    rules_.push_back({base, std::move(*glob), negate});
    ++added;
  }
  return added;
}

size_t GitignoreRules::push_repository_excludes(const fs::path& work_tree) {
  std::optional<fs::path> git_dir = common_git_directory(work_tree);
  return git_dir ? push_file(*git_dir / "info" / "exclude", work_tree) : 0;
}

void GitignoreRules::pop(size_t count) {
  rules_.resize(count < rules_.size() ? rules_.size() - count : 0);
}

bool GitignoreRules::ignored(std::string_view path, bool is_directory) const {
  for (auto rule = rules_.rbegin(); rule != rules_.rend(); ++rule) {
    if (path.size() <= rule->base.size() || !path.starts_with(rule->base)) continue;
    if (path_glob_match(rule->glob, path.substr(rule->base.size()), is_directory))
      return !rule->negate;
  }
  return false;
}

std::optional<fs::path> enclosing_work_tree(fs::path directory) {
  std::error_code ec;
  while (true) {
    if (fs::exists(directory / ".git", ec)) return directory;
    fs::path parent = directory.parent_path();
    if (parent == directory || parent.empty()) return std::nullopt;
    directory = std::move(parent);
  }
}

}  // namespace telinject
