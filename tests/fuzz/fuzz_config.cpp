// libFuzzer target: configuration loading as a run does it (load_config: the project file,
// then `.env`), then what a run does first with the result (check_profile, templates_for) and
// one small file per language instrumented and cleaned with it.
//
// Input: the project file's text; a line "#@env" starts the `.env` text. The file is
// `.telinject.toml`, or `pyproject.toml` when the input starts with "#@pyproject". Both are
// written into a scratch project (with a `.git`, so the search stops there); the process
// environment is not read.
//
// Properties: nothing crashes, leaks or hangs whatever the files hold (errors are values);
// a loaded config names a profile only of letters, digits, '_' and '-', and with validation on,
// whatever templates it brings, instrumenting a file either leaves it alone or gives text that
// removing the telemetry turns back into the file byte for byte.
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "config.h"
#include "language.h"
#include "pipeline.h"

namespace {

namespace fs = std::filesystem;
using namespace telinject;

fs::path project;

void write(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) std::abort();
}

// A small file with nested functions, a method and a generator where the language has them.
const char* sample_for(std::string_view language) {
  if (language == "python")
    return "import os\n\n\ndef outer(a, b=1):\n    \"\"\"Doc.\"\"\"\n    def inner():\n"
           "        return a\n    return inner() + b\n\n\nclass C:\n    def gen(self):\n"
           "        yield 1\n";
  if (language == "go")
    return "package p\n\nimport \"fmt\"\n\nfunc Outer(a int) int {\n\tf := func() int { return a "
           "}\n\tfmt.Println(a)\n\treturn f()\n}\n\ntype T struct{}\n\nfunc (t *T) M() {}\n";
  // javascript, typescript, tsx
  return "function outer(a) {\n  const inner = () => {\n    return a;\n  };\n  return inner();\n}\n"
         "\nclass C {\n  m() {\n    return 1;\n  }\n  *g() {\n    yield 1;\n  }\n}\n";
}

// The scratch project goes when the process ends normally (a crash leaves it to look at).
void remove_scratch() {
  std::error_code ec;
  fs::remove_all(project, ec);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::error_code ec;
  project = fs::temp_directory_path(ec) / ("telinject-fuzz-config-" + std::to_string(getpid()));
  fs::create_directories(project / ".git", ec);
  std::atexit(remove_scratch);
  if (ec) std::abort();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (project.empty()) LLVMFuzzerInitialize(nullptr, nullptr);
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view config_text = input, env_text;
  bool has_env = false;
  size_t env = input.find("#@env");
  if (env != std::string_view::npos && (env == 0 || input[env - 1] == '\n')) {
    config_text = input.substr(0, env);
    size_t line_end = input.find('\n', env);
    env_text = line_end == std::string_view::npos ? std::string_view() : input.substr(line_end + 1);
    has_env = true;
  }
  const bool pyproject = config_text.substr(0, 11) == "#@pyproject";
  std::error_code ec;
  for (const char* name : {".telinject.toml", "pyproject.toml", ".env"})
    fs::remove(project / name, ec);
  write(project / (pyproject ? "pyproject.toml" : ".telinject.toml"), config_text);
  if (has_env) write(project / ".env", env_text);

  auto config = load_config(project, std::nullopt, {});
  if (!config.ok()) {
    if (config.error().empty()) std::abort();  // an error must say what is wrong
    return 0;
  }
  for (char c : config->profile)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') std::abort();
  if (!check_profile(*config).ok()) return 0;
  // Strict validation runs the languages' compilers: slow, and not what is fuzzed here.
  if (config->validate == ValidateMode::kStrict) config->validate = ValidateMode::kNormal;

  for (const LanguageSupport* language : LanguageRegistry::instance().all()) {
    auto templates = templates_for(*language, *config);
    if (!templates.ok()) continue;
    const std::string source = sample_for(language->name());
    const FileLocation location(fs::path("sample" + language->extensions().front()));
    TextResult instrumented =
        process_text(source, location, *language, Action::kInstrument, *config, nullptr, nullptr);
    if (config->validate == ValidateMode::kOff || instrumented.output == source) continue;
    TextResult removed = process_text(instrumented.output, location, *language, Action::kRemove,
                                      *config, nullptr, nullptr);
    if (removed.output != source) {
      std::fprintf(stderr, "fuzz_config: %s: remove did not give the file back\n%s\n---\n%s\n",
                   std::string(language->name()).c_str(), instrumented.output.c_str(),
                   removed.output.c_str());
      std::abort();
    }
  }
  return 0;
}
