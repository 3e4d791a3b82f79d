// The languages compiled into telinject. Adding a language: a folder beside this file with its
// code and a language.cmake (factory, grammar, runtime files), its grammar pinned in
// grammars/package.json. The list below is generated from the language.cmake files.
#include <cstring>

#include "language.h"

namespace telinject {

// Declarations of the factories and TELINJECT_LANGUAGE_LIST.
#include "language_list.inc"

const char* to_string(FunctionState state) {
  switch (state) {
    case FunctionState::kUninstrumented:
      return "uninstrumented";
    case FunctionState::kInstrumented:
      return "instrumented";
    case FunctionState::kOptedOut:
      return "opted_out";
    case FunctionState::kSkipped:
      return "skipped";
  }
  return "unknown";
}

LanguageRegistry::LanguageRegistry() { languages_ = {TELINJECT_LANGUAGE_LIST}; }

const LanguageRegistry& LanguageRegistry::instance() {
  static const LanguageRegistry registry;
  return registry;
}

const LanguageSupport* LanguageRegistry::by_name(std::string_view name) const {
  for (const auto* language : languages_)
    if (language->name() == name) return language;
  return nullptr;
}

const LanguageSupport* LanguageRegistry::by_extension(const std::filesystem::path& path) const {
  std::string extension = path.extension().string();
  if (extension.empty()) return nullptr;
  for (const auto* language : languages_)
    for (const auto& known : language->extensions())
      if (known == extension) return language;
  return nullptr;
}

const LanguageSupport* LanguageRegistry::by_shebang(std::string_view first_line) const {
  if (first_line.substr(0, 2) != "#!") return nullptr;
  // "#!/usr/bin/env -S python3 -u" or "#!/usr/bin/python3.11": take the interpreter's basename,
  // skipping "env" and its options.
  std::string_view rest = first_line.substr(2);
  std::string_view interpreter;
  while (!rest.empty()) {
    size_t begin = rest.find_first_not_of(" \t");
    if (begin == std::string_view::npos) break;
    rest = rest.substr(begin);
    size_t end = rest.find_first_of(" \t\r\n");
    std::string_view word = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    size_t slash = word.rfind('/');
    std::string_view base = slash == std::string_view::npos ? word : word.substr(slash + 1);
    if (base == "env" || (!base.empty() && base[0] == '-')) continue;
    interpreter = base;
    break;
  }
  if (interpreter.empty()) return nullptr;
  for (const auto* language : languages_)
    if (language->accepts_interpreter(interpreter)) return language;
  return nullptr;
}

}  // namespace telinject
