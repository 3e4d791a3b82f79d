// Validation without a second parse (python_shape.cpp): what it proves, checked against the
// validation that re-parses, and the edits it must not prove.
#include "python/python_shape.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "instrument_pass.h"
#include "python/python_language.h"
#include "test_support.h"

using namespace telinject;

namespace {

const LanguageSupport& py_language() { return python_language(); }

// Every uninstrumented function of `text` instrumented with the builtin template, as
// process_text plans it: the parsed original, the edits and the output.
struct Trial {
  std::unique_ptr<pass::Parsed> parsed;
  std::vector<size_t> added;
  std::vector<TextEdit> edits;
  std::string output;
  std::vector<LanguageTemplate> known = py_language().builtin_templates();

  explicit Trial(const std::string& text, std::vector<LanguageTemplate> templates = {}) {
    if (!templates.empty()) known = std::move(templates);
    auto result = pass::parse_and_extract(SourceText(text), "m.py", py_language(), known);
    REQUIRE(result.ok());
    parsed = std::move(*result);
    std::vector<bool> selected(parsed->functions.size());
    for (size_t i = 0; i < selected.size(); ++i)
      selected[i] = parsed->functions[i].state == FunctionState::kUninstrumented;
    std::vector<pass::Candidate> candidates;
    for (size_t i = 0; i < selected.size(); ++i) {
      if (!selected[i]) continue;
      auto script =
          py_language().instrument(parsed->view(), parsed->functions, i, known.front(),
                                   pass::wrapped_ancestors(parsed->functions, selected, i));
      if (!script.ok()) {
        selected[i] = false;
        continue;
      }
      candidates.push_back({i, std::move(*script), false, true});
      added.push_back(i);
    }
    auto rebuilt = pass::reconstruct(*parsed, candidates, py_language(), known.front(), &edits);
    REQUIRE(rebuilt.ok());
    output = *rebuilt;
  }

  bool proven() const {
    return py_language().proves_instrumented(parsed->view(), parsed->functions, added, edits,
                                             output, known);
  }
  bool proven(const std::vector<TextEdit>& other) const {
    std::string text;
    if (!apply_edits(parsed->source.text(), other, &text)) return false;
    return py_language().proves_instrumented(parsed->view(), parsed->functions, added, other, text,
                                             known);
  }
  Result<void> reparsed(const std::vector<TextEdit>& other) const {
    std::string text;
    if (!apply_edits(parsed->source.text(), other, &text)) return make_error("overlap");
    return pass::validate_instrumented(*parsed, text, other, added, py_language(), known);
  }
};

const std::string kPlain =
    "\"\"\"Module.\"\"\"\n"
    "from __future__ import annotations\n"
    "import os\n"
    "\n"
    "\n"
    "class Shop:\n"
    "    \"\"\"A shop.\"\"\"\n"
    "\n"
    "    @property\n"
    "    def total(self):\n"
    "        \"\"\"Sum.\"\"\"\n"
    "        text = \"\"\"\n"
    "not indented\n"
    "\"\"\"\n"
    "        values = [1,\n"
    "  2]  # a comment\n"
    "\n"
    "        def inner(x):\n"
    "            # comment\n"
    "            yield x \\\n"
    "                + 1\n"
    "        return sum(values)\n"
    "\n"
    "    async def fetch(self):\n"
    "        return await os.fspath(self)\n"
    "\n"
    "\n"
    "def stub():\n"
    "    ...\n"
    "\n"
    "\n"
    "def tabbed():\n"
    "\tif True:\n"
    "\t\treturn 1\n"
    "\treturn 2\n";

}  // namespace

TEST_SUITE("python_shape") {
  TEST_CASE("template scripts on a plain file are proven, and the re-parse agrees") {
    Trial trial(kPlain);
    CHECK(trial.added.size() == 4);  // total, inner, fetch, tabbed (stub is skipped)
    CHECK(trial.proven());
    auto reparsed = trial.reparsed(trial.edits);
    CHECK_MESSAGE(reparsed.ok(), (reparsed.ok() ? "" : reparsed.error()));
  }

  TEST_CASE("whatever it proves on the golden inputs, the re-parse accepts too") {
    namespace fs = std::filesystem;
    size_t proven = 0, files = 0;
    for (const auto& entry :
         fs::directory_iterator(fs::path(TELINJECT_SOURCE_DIR) / "tests/golden/python")) {
      std::string name = entry.path().filename().string();
      if (entry.path().extension() != ".py" || name.find(".expected") != std::string::npos)
        continue;
      std::string text = testing::read_text(entry.path());
      Trial trial(SourceText(text).text());
      if (trial.added.empty()) continue;
      ++files;
      if (!trial.proven()) continue;
      ++proven;
      auto reparsed = trial.reparsed(trial.edits);
      CHECK_MESSAGE(reparsed.ok(), name << ": " << (reparsed.ok() ? "" : reparsed.error()));
    }
    CHECK(files > 0);
    CHECK(proven > 0);
  }

  TEST_CASE("anything but the shape is left to the re-parse") {
    Trial trial(kPlain);
    REQUIRE(trial.proven());
    SUBCASE("code inserted beside the header") {
      std::vector<TextEdit> edits = trial.edits;
      for (TextEdit& e : edits)
        if (e.insert.rfind("with ", 0) == 0) {
          e.insert += "__import__('os').system('true'); ";
          break;
        }
      CHECK_FALSE(trial.proven(edits));
      CHECK_FALSE(trial.reparsed(edits).ok());
    }
    SUBCASE("a header that is not telemetry") {
      std::vector<TextEdit> edits = trial.edits;
      for (TextEdit& e : edits) {
        size_t at = e.insert.find("with _telinject.span(");
        if (at != std::string::npos) e.insert.replace(at, 21, "with open(");
      }
      CHECK_FALSE(trial.proven(edits));
    }
    SUBCASE("a header of a shape proven before, but another call") {
      std::vector<TextEdit> edits = trial.edits;
      for (TextEdit& e : edits) {
        size_t at = e.insert.find("_telinject.span(");
        if (at != std::string::npos) e.insert.replace(at, 16, "_telinjecX.span(");
      }
      CHECK_FALSE(trial.proven(edits));
    }
    SUBCASE("a header that swallows the body") {
      std::vector<TextEdit> edits = trial.edits;
      for (TextEdit& e : edits) {
        size_t at = e.insert.find("):\n");
        if (at != std::string::npos) e.insert.replace(at, 3, "): pass\n");
      }
      CHECK_FALSE(trial.proven(edits));
    }
    SUBCASE("a row left unindented") {
      std::vector<TextEdit> edits = trial.edits;
      for (size_t k = 0; k < edits.size(); ++k)
        if (edits[k].insert == "    " && k > 0) {
          edits.erase(edits.begin() + static_cast<long>(k));
          break;
        }
      CHECK_FALSE(trial.proven(edits));
      CHECK_FALSE(trial.reparsed(edits).ok());
    }
    SUBCASE("an extra line at the module's top") {
      std::vector<TextEdit> edits = trial.edits;
      edits.insert(edits.begin(), TextEdit{0, 0, "import os\n"});
      CHECK_FALSE(trial.proven(edits));
    }
    SUBCASE("an import line that is more than an import") {
      std::vector<TextEdit> edits = trial.edits;
      for (TextEdit& e : edits)
        if (e.insert.rfind("import ", 0) == 0) e.insert = "import os; " + e.insert;
      CHECK_FALSE(trial.proven(edits));
    }
  }

  TEST_CASE("files whose states depend on more than the shape are not proven") {
    const std::string body = "def f():\n    return 1\n";
    CHECK_FALSE(Trial("# telinject: ignore\nx = 1\n" + body).proven());
    CHECK_FALSE(Trial("def f():\n    return 1\r\n").proven());
    CHECK_FALSE(Trial(body + "def g(:\n    pass\n").proven());
    CHECK_FALSE(Trial("import m._telinject as _telinject  # isort: skip\n" + body).proven());
    CHECK_FALSE(Trial("s = '''\nwith _telinject.span('x'):\n'''\n" + body).proven());
    CHECK(Trial(body).proven());
    Trial one_line("def f(): return 1\n");  // the header takes a row of its own: another shape
    REQUIRE(one_line.added.size() == 1);
    CHECK_FALSE(one_line.proven());
    CHECK(one_line.reparsed(one_line.edits).ok());
  }

  TEST_CASE("a user template whose header is not a with statement is not proven") {
    std::vector<LanguageTemplate> templates = py_language().builtin_templates();
    templates.front().header = "if _telinject.span({name})";
    Trial trial("def f():\n    return 1\n", templates);
    REQUIRE(trial.added.size() == 1);
    CHECK_FALSE(trial.proven());
  }
}
