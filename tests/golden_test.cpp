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

bool is_expected_file(const fs::path& path) { return path.stem().extension() == ".expected"; }

}  // namespace

TEST_CASE("golden files: instrument, fixed point, remove") {
  const fs::path root = fs::path(TELINJECT_SOURCE_DIR) / "tests" / "golden";
  const bool update = std::getenv("TELINJECT_UPDATE_GOLDEN") != nullptr;
  size_t cases = 0;
  // The cases of one folder, instrumented with `config`'s profile.
  auto run_folder = [&](const LanguageSupport& language, const fs::path& dir,
                        const Config& config) {
    std::vector<fs::path> inputs;
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_regular_file() && !is_expected_file(entry.path()))
        inputs.push_back(entry.path());
    std::sort(inputs.begin(), inputs.end());
    for (const fs::path& input_path : inputs) {
      CAPTURE(input_path.string());
      ++cases;
      std::string input = slurp(input_path);
      fs::path expected_path =
          input_path.parent_path() /
          (input_path.stem().string() + ".expected" + input_path.extension().string());
      TextResult first = process_text(input, input_path.filename(), language, Action::kInstrument,
                                      config, nullptr, nullptr);
      REQUIRE_MESSAGE(first.outcome.status != FileOutcome::Status::kError, first.outcome.message);
      if (update) {
        std::ofstream(expected_path, std::ios::binary) << first.output;
      }
      REQUIRE_MESSAGE(fs::exists(expected_path), "missing " << expected_path.string());
      CHECK(first.output == slurp(expected_path));

      TextResult second = process_text(first.output, input_path.filename(), language,
                                       Action::kInstrument, config, nullptr, nullptr);
      CHECK(second.outcome.instrumented == 0);
      CHECK(second.output == first.output);

      TextResult removed = process_text(first.output, input_path.filename(), language,
                                        Action::kRemove, config, nullptr, nullptr);
      REQUIRE_MESSAGE(removed.outcome.status != FileOutcome::Status::kError,
                      removed.outcome.message);
      // An input that carries telemetry already loses it too.
      TextResult checked = process_text(input, input_path.filename(), language, Action::kCheck,
                                        config, nullptr, nullptr);
      if (checked.outcome.already_instrumented == 0) CHECK(removed.output == input);
    }
  };
  for (const auto* language : LanguageRegistry::instance().all()) {
    fs::path dir = root / std::string(language->name());
    REQUIRE(fs::is_directory(dir));
    run_folder(*language, dir, Config{});
    // tests/golden/<language>/<profile>/: the same with another of the language's profiles.
    for (const LanguageTemplate& tmpl : language->builtin_templates()) {
      if (tmpl.profile == "builtin" || !fs::is_directory(dir / tmpl.profile)) continue;
      Config config;
      config.profile = tmpl.profile;
      run_folder(*language, dir / tmpl.profile, config);
    }
  }
  CHECK(cases >= 10);
}
