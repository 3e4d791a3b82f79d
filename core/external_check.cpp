#include "external_check.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

extern char** environ;

namespace telinject {

Result<void> run_external_check(const LanguageSupport& language, std::string_view text,
                                const std::string& file_name, bool* skipped) {
  namespace fs = std::filesystem;
  *skipped = false;
  std::string pattern = (fs::temp_directory_path() / "telinject-check-XXXXXX").string();
  if (!mkdtemp(pattern.data())) return make_error("cannot create a temporary directory");
  fs::path directory = pattern;
  fs::path file = directory / fs::path(file_name).filename();
  {
    std::ofstream out(file, std::ios::binary);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  std::vector<std::string> command = language.checker_command(file);
  if (command.empty()) {
    fs::remove_all(directory);
    *skipped = true;
    return {};
  }
  fs::path output = directory / "checker-output.txt";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> argv;
  for (auto& part : command) argv.push_back(part.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    fs::remove_all(directory);
    *skipped = true;  // the checker is not installed
    return {};
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::string message;
  {
    std::ifstream in(output);
    std::getline(in, message, '\0');
  }
  std::error_code ec;
  fs::remove_all(directory, ec);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    *skipped = true;
    return {};
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return make_error(command.front() + " rejects the result: " + message.substr(0, 2000));
  return {};
}

}  // namespace telinject
