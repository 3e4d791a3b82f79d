// libFuzzer target: one language's extract → instrument → remove round trip through
// process_text, the function the CLI's batch run and the language server call for one file's
// text (built once per language: TELINJECT_FUZZ_LANGUAGE names it, TELINJECT_FUZZ_FILE gives
// the file name its imports and module name come from).
//
// Properties, for any input the pipeline would read as text (binary files and invalid UTF-8
// are refused by the scanner before they get here, so they are only checked to be refused):
//  - nothing crashes, leaks, overflows or hangs (ASan, UBSan, libFuzzer's timeout);
//  - the same bytes parse to the same tree twice in a row;
//  - instrument gives text that parses with as many ERROR/MISSING nodes as the input (none
//    when the input had none: a change in a broken file's recovery would block its remove);
//  - removing the telemetry from that text gives back exactly what removing it from the input
//    gives: the input itself, byte for byte, when the input carried no telemetry;
//  - instrumenting the result again changes nothing in a clean file; in a broken one it may
//    instrument a function the first run's edits brought out of the parser's error recovery,
//    keeping the syntax errors and the exact removal;
//  - on an input that parses cleanly and carries no telemetry, no function is dropped because
//    its script failed the pipeline's validation (a template or layout bug the validator hid),
//    unless the language's own compiler rejects the input too: tree-sitter accepts some text
//    the language does not (Python's unexpected indents), and refusing to instrument that is
//    right. The compiler (python3, node, gofmt; none for TypeScript) runs only then.
// A violated property aborts with the texts involved on stderr.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include "language.h"
#include "pipeline.h"
#include "scanner.h"
#include "source_text.h"
#include "syntax_tree.h"

#ifndef TELINJECT_FUZZ_LANGUAGE
#error "define TELINJECT_FUZZ_LANGUAGE (\"python\", \"javascript\", ...) and TELINJECT_FUZZ_FILE"
#endif

namespace {

using namespace telinject;

[[noreturn]] void fail(const char* property, const std::string& input, const std::string& output,
                       const std::string& detail = {}) {
  std::fprintf(stderr,
               "fuzz_roundtrip(%s): %s\n--- input (%zu bytes) ---\n%s\n--- output (%zu bytes) "
               "---\n%s\n--- detail ---\n%s\n",
               TELINJECT_FUZZ_LANGUAGE, property, input.size(), input.c_str(), output.size(),
               output.c_str(), detail.c_str());
  std::abort();
}

// ERROR and MISSING nodes in the parse of `bytes` (a byte order mark is not part of the text
// the grammar sees, as in the pipeline).
uint32_t syntax_errors(const LanguageSupport& language, const std::string& bytes) {
  SourceText source(bytes);
  auto tree = SyntaxTree::parse(language.grammar(), source.text());
  if (!tree.ok()) std::abort();  // tree-sitter always gives a tree without a cancel flag
  return tree->error_count();
}

// Whether the language's own compiler front end rejects `text`: false when it cannot tell (no
// compiler for the language, or not installed), nothing when it could not be run at all (no
// process could be started: the machine's trouble, not a finding).
std::optional<bool> rejected_by_compiler(std::string_view language, const std::string& text) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir = fs::temp_directory_path(ec) / ("telinject-fuzz-check-" + std::to_string(getpid()));
  fs::create_directories(dir, ec);
  bool could_run = true;
  auto rejects = [&](const std::string& name, const std::string& command) {
    std::ofstream(dir / name, std::ios::binary) << text;
    // 127: the tool is missing, which says nothing about the text.
    int status =
        std::system(("cd '" + dir.string() + "' && " + command + " >/dev/null 2>&1").c_str());
    if (status == -1 || !WIFEXITED(status)) could_run = false;
    return could_run && WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 127;
  };
  bool rejected = false;
  if (language == "python")
    rejected = rejects("check.py",
                       "python3 -c 'import sys; compile(open(sys.argv[1], \"rb\").read(), "
                       "sys.argv[1], \"exec\")' check.py");
  else if (language == "javascript")  // either module system will do
    rejected = rejects("check.cjs", "node --check check.cjs") &&
               rejects("check.mjs", "node --check check.mjs");
  else if (language == "go")
    rejected = rejects("check.go", "gofmt -e -l check.go");
  fs::remove_all(dir, ec);
  if (!could_run) return std::nullopt;
  return rejected;
}

// The parse of `bytes` as an S-expression.
std::string parse_text(const LanguageSupport& language, const std::string& bytes) {
  SourceText source(bytes);
  auto tree = SyntaxTree::parse(language.grammar(), source.text());
  if (!tree.ok()) std::abort();
  char* text = ts_node_string(tree->root());
  std::string out(text);
  std::free(text);
  return out;
}

std::string describe(const FileOutcome& outcome) {
  std::string text =
      "status " + std::to_string(static_cast<int>(outcome.status)) + ": " + outcome.message + "\n";
  for (const FunctionOutcome& f : outcome.functions)
    text += f.qualified_name + " line " + std::to_string(f.line) + ": " + to_string(f.state) + " " +
            f.reason + "\n";
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const LanguageSupport* language =
      LanguageRegistry::instance().by_name(TELINJECT_FUZZ_LANGUAGE);
  if (!language) std::abort();
  const std::string input(reinterpret_cast<const char*>(data), size);
  if (text_problem(input)) return 0;  // the pipeline never parses such bytes

  const Config config;  // the defaults: builtin profile, validation on
  const FileLocation location(TELINJECT_FUZZ_FILE);
  auto run = [&](const std::string& text, Action action) {
    return process_text(text, location, *language, action, config, nullptr, nullptr);
  };

  // The pipeline compares parses of the same bytes: they must not depend on what was parsed
  // before.
  if (parse_text(*language, input) != parse_text(*language, input))
    fail("the same bytes parsed twice gave two trees", input, input);
  const uint32_t errors_before = syntax_errors(*language, input);
  const TextResult cleaned = run(input, Action::kRemove);
  const bool had_telemetry = cleaned.outcome.status != FileOutcome::Status::kUnchanged;

  const TextResult instrumented = run(input, Action::kInstrument);
  const std::string& output = instrumented.output;
  if (instrumented.outcome.status == FileOutcome::Status::kChanged) {
    if (output == input) fail("reported a change but gave the input back", input, output);
    const uint32_t errors_after = syntax_errors(*language, output);
    if (errors_after != errors_before)
      fail("the instrumented text parses with other syntax errors", input, output,
           std::to_string(errors_before) + " before, " + std::to_string(errors_after) + " after");
  } else if (output != input) {
    fail("changed the text but reported no change", input, output, describe(instrumented.outcome));
  }
  if (errors_before == 0 && !had_telemetry) {
    bool refused = instrumented.outcome.status == FileOutcome::Status::kError;
    for (const FunctionOutcome& f : instrumented.outcome.functions)
      refused = refused || f.state == FunctionOutcome::State::kError;
    std::optional<bool> rejected;
    if (refused) rejected = rejected_by_compiler(TELINJECT_FUZZ_LANGUAGE, input);
    if (refused && !rejected)
      std::fprintf(stderr, "fuzz_roundtrip: could not run the compiler; property not checked\n");
    if (refused && rejected == false)
      fail("refused (part of) a clean file", input, output, describe(instrumented.outcome));
  }

  if (output != input) {
    const TextResult removed = run(output, Action::kRemove);
    if (removed.outcome.status == FileOutcome::Status::kError)
      fail("remove refused the instrumented text", input, output, describe(removed.outcome));
    if (!had_telemetry && removed.output != input)
      fail("remove did not give the input back", input, removed.output, describe(removed.outcome));
    if (had_telemetry && cleaned.outcome.status == FileOutcome::Status::kChanged &&
        removed.output != cleaned.output)
      fail("remove after instrument differs from remove alone", cleaned.output, removed.output,
           describe(removed.outcome));

    // On a clean file a second run changes nothing. In a broken one the first run's edits can
    // move the parser's error recovery so that a function it hid comes out (tree-sitter gives
    // no stability promise there): a second run may then instrument it, under the same rules.
    const TextResult again = run(output, Action::kInstrument);
    if (again.output != output) {
      if (errors_before == 0)
        fail("instrumenting twice changed the text again", output, again.output,
             describe(again.outcome));
      if (syntax_errors(*language, again.output) != errors_before)
        fail("a second instrument changed the syntax errors", output, again.output,
             describe(again.outcome));
      const TextResult removed_again = run(again.output, Action::kRemove);
      if (removed_again.output != removed.output)
        fail("remove after a second instrument differs from remove after one", removed.output,
             removed_again.output, describe(removed_again.outcome));
    }
  }
  return 0;
}
