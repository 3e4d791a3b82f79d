#include "path_arguments.h"

#include <algorithm>
#include <filesystem>
#include <numeric>

namespace telinject::cli {

namespace {

namespace fs = std::filesystem;

// Levenshtein distance where swapping two neighbours also counts as one edit ("chekc").
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  std::iota(d[0].begin(), d[0].end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitute = d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, substitute});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> closest_command(std::string_view word,
                                           const std::vector<std::string>& commands) {
  if (word.size() < 3 || word.find_first_of("/.") != std::string_view::npos) return std::nullopt;
  const size_t allowed = word.size() >= 5 ? 2 : 1;
  std::optional<std::string> best;
  size_t best_distance = allowed + 1;
  for (const std::string& command : commands) {
    size_t distance = edit_distance(word, command);
    if (distance < best_distance) best = command, best_distance = distance;
  }
  return best;
}

std::vector<std::string> path_argument_problems(const std::vector<std::string>& paths,
                                                const std::optional<std::string>& maybe_command,
                                                const std::vector<std::string>& commands) {
  std::vector<std::string> problems;
  for (const std::string& path : paths) {
    std::error_code ec;
    fs::file_status status = fs::status(path, ec);
    if (fs::is_directory(status) || fs::is_regular_file(status)) continue;
    if (fs::exists(status)) {
      problems.push_back(path + ": not a regular file or directory");
      continue;
    }
    bool missing = !ec || ec == std::errc::no_such_file_or_directory;
    std::string problem = path + ": " + (missing ? "no such file or directory" : ec.message());
    if (maybe_command && path == *maybe_command) {
      if (auto command = closest_command(path, commands))
        problem = "'" + path + "' is not a command, nor a file or directory; did you mean '" +
                  *command + "'?";
    }
    problems.push_back(std::move(problem));
  }
  return problems;
}

}  // namespace telinject::cli
