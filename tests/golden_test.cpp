// Golden tests: every tests/golden/<language>/<case>.<ext> is instrumented and compared with
// <case>.expected.<ext>; then the expected output must be a fixed point (a second run changes
// nothing) and `remove` must give the input back byte for byte.
// TELINJECT_UPDATE_GOLDEN=1 rewrites the expected files (review the diff before committing).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pipeline.h"

namespace fs = std::filesystem;
using namespace telinject;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool is_expected_file(const fs::path& path) {
  return path.stem().extension() == ".expected";
}

}  // namespace

TEST_CASE("golden files: instrument, fixed point, remove") {
  const fs::path root = fs::path(TELINJECT_SOURCE_DIR) / "tests" / "golden";
  const bool update = std::getenv("TELINJECT_UPDATE_GOLDEN") != nullptr;
  const Config defaults;
  size_t cases = 0;
  // <language>/ with the default profile; <language>/<profile>/, when there is one, with that
  // profile.
  std::vector<std::pair<fs::path, std::string>> runs;
  for (const auto* language : LanguageRegistry::instance().all()) {
    fs::path dir = root / std::string(language->name());
    REQUIRE(fs::is_directory(dir));
    runs.push_back({dir, ""});
    if (fs::is_directory(dir / "opentelemetry"))
      runs.push_back({dir / "opentelemetry", "opentelemetry"});
  }
  for (const auto& [dir, profile] : runs) {
    const LanguageSupport* language = LanguageRegistry::instance().by_name(
        profile.empty() ? dir.filename().string() : dir.parent_path().filename().string());
    REQUIRE(language != nullptr);
    Config config = defaults;
    if (!profile.empty()) config.profile = profile;
    std::vector<fs::path> inputs;
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_regular_file() && !is_expected_file(entry.path())) inputs.push_back(entry.path());
    std::sort(inputs.begin(), inputs.end());
    for (const fs::path& input_path : inputs) {
      CAPTURE(input_path.string());
      ++cases;
      std::string input = slurp(input_path);
      fs::path expected_path = input_path.parent_path() /
          (input_path.stem().string() + ".expected" + input_path.extension().string());
      TextResult first = process_text(input, input_path.filename(), *language, Action::kInstrument,
                                      config, nullptr, nullptr);
      REQUIRE_MESSAGE(first.outcome.status != FileOutcome::Status::kError, first.outcome.message);
      if (update) {
        std::ofstream(expected_path, std::ios::binary) << first.output;
      }
      REQUIRE_MESSAGE(fs::exists(expected_path), "missing " << expected_path.string());
      CHECK(first.output == slurp(expected_path));

      TextResult second = process_text(first.output, input_path.filename(), *language,
                                       Action::kInstrument, config, nullptr, nullptr);
      CHECK(second.outcome.instrumented == 0);
      CHECK(second.output == first.output);

      TextResult removed = process_text(first.output, input_path.filename(), *language,
                                        Action::kRemove, config, nullptr, nullptr);
      REQUIRE_MESSAGE(removed.outcome.status != FileOutcome::Status::kError, removed.outcome.message);
      // An input that carries telemetry already loses it too.
      TextResult checked = process_text(input, input_path.filename(), *language, Action::kCheck,
                                        config, nullptr, nullptr);
      if (checked.outcome.already_instrumented == 0) CHECK(removed.output == input);
    }
  }
  CHECK(cases >= 10);
}
