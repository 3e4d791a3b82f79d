#include "test_hooks.h"

#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

namespace telinject::test_hooks {
namespace {

long kill_after() {
  static const long value = [] {
    const char* text = std::getenv("TELINJECT_TEST_KILL_AFTER_WRITES");
    return text ? std::atol(text) : 0L;
  }();
  return value;
}

const std::string& pause_directory() {
  static const std::string value = [] {
    const char* text = std::getenv("TELINJECT_TEST_PAUSE_BEFORE_REPLACE");
    return std::string(text ? text : "");
  }();
  return value;
}

}  // namespace

void after_file_written() {
  static std::atomic<long> written{0};
  long limit = kill_after();
  if (limit > 0 && written.fetch_add(1) + 1 >= limit) ::raise(SIGKILL);
}

void before_replace(const std::filesystem::path& file) {
  const std::string& directory = pause_directory();
  if (directory.empty()) return;
  std::filesystem::path root(directory);
  std::ofstream(root / "ready") << file.string() << "\n";
  std::error_code ec;
  for (int waited = 0; waited < 3000 && !std::filesystem::exists(root / "go", ec); ++waited)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

}  // namespace telinject::test_hooks
