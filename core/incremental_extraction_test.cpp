#include "incremental_extraction.h"

#include <doctest/doctest.h>

#include <cctype>
#include <filesystem>
#include <random>

#include "syntax_tree.h"
#include "test_support.h"

namespace telinject {
namespace {

namespace fs = std::filesystem;

TSPoint point_at(const std::string& text, uint32_t offset) {
  TSPoint point{0, 0};
  for (uint32_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++point.row;
      point.column = 0;
    } else {
      ++point.column;
    }
  }
  return point;
}

// One random edit of `text`, at a character boundary: a deletion, a snippet that changes the
// syntax (a definition, an opening string or bracket, a comment, indentation), or a piece of
// the text itself copied elsewhere.
// `opt_out`: now and then a `telinject: ignore` comment (a file-wide fact: the language then
// extracts the whole file while it stays).
// `typing`: only what typing inside code does (word characters, spaces, line breaks, comments).
TSInputEdit random_edit(std::string& text, std::mt19937& random, bool opt_out, bool typing) {
  static const std::vector<std::string> snippets = {"x",
                                                    "\n",
                                                    "  ",
                                                    "    ",
                                                    "(",
                                                    ")",
                                                    "{",
                                                    "}",
                                                    ":",
                                                    "\"",
                                                    "'''",
                                                    "`",
                                                    "#",
                                                    "// ",
                                                    "/*",
                                                    "*/",
                                                    "1",
                                                    "\n\n",
                                                    "def g(a):\n    return a\n",
                                                    "\n    def inner():\n        yield 1\n",
                                                    "function h() { return 1; }\n",
                                                    "const k = () => 2;\n",
                                                    "func G() int { return 1 }\n",
                                                    "class C:\n    def m(self):\n        pass\n",
                                                    "@decorator\n",
                                                    "async ",
                                                    "return ",
                                                    "\t",
                                                    "import os\n",
                                                    "package other\n"};
  auto boundary = [&](uint32_t offset) {
    while (offset > 0 && offset < text.size() &&
           (static_cast<unsigned char>(text[offset]) & 0xC0) == 0x80)
      --offset;
    return offset;
  };
  uint32_t size = static_cast<uint32_t>(text.size());
  uint32_t start = boundary(size == 0 ? 0 : random() % (size + 1));
  uint32_t old_end = start;
  std::string inserted;
  switch (typing ? 5 + random() % 2 : opt_out && random() % 50 == 0 ? 4 : random() % 4) {
    case 5: {  // typing: a word character, a space, a line break or a comment
      static const std::vector<std::string> typed = {"x", "1", "_", " ", "\n", "\t", "// note\n"};
      inserted = typed[random() % typed.size()];
      break;
    }
    case 6:  // typing: a word character deleted
      if (start < size &&
          (std::isalnum(static_cast<unsigned char>(text[start])) || text[start] == '_'))
        old_end = start + 1;
      break;
    case 4:
      inserted = random() % 2 ? "# telinject: ignore\n" : "// telinject: ignore\n";
      break;
    case 0:  // delete up to 40 bytes
      old_end = boundary(std::min<uint32_t>(size, start + 1 + random() % 40));
      break;
    case 1:  // a piece of the text itself, up to 300 bytes
      if (size > 0) {
        uint32_t from = boundary(random() % size);
        uint32_t to = boundary(std::min<uint32_t>(size, from + 1 + random() % 300));
        inserted = text.substr(from, to - from);
      }
      break;
    case 2:  // replace a few bytes with a snippet
      old_end = boundary(std::min<uint32_t>(size, start + random() % 4));
      inserted = snippets[random() % snippets.size()];
      break;
    default:
      inserted = snippets[random() % snippets.size()];
  }
  TSInputEdit edit{};
  edit.start_byte = start;
  edit.old_end_byte = old_end;
  edit.start_point = point_at(text, start);
  edit.old_end_point = point_at(text, old_end);
  text.replace(start, old_end - start, inserted);
  edit.new_end_byte = start + static_cast<uint32_t>(inserted.size());
  edit.new_end_point = point_at(text, edit.new_end_byte);
  return edit;
}

void check_equal(const std::vector<FunctionInfo>& incremental,
                 const std::vector<FunctionInfo>& whole) {
  REQUIRE(incremental.size() == whole.size());
  for (size_t i = 0; i < whole.size(); ++i) {
    const FunctionInfo& a = incremental[i];
    const FunctionInfo& b = whole[i];
    INFO("function " << i << ": " << b.qualified_name);
    CHECK(a.name == b.name);
    CHECK(a.qualified_name == b.qualified_name);
    CHECK(a.kind == b.kind);
    CHECK(a.start_byte == b.start_byte);
    CHECK(a.end_byte == b.end_byte);
    CHECK(a.start_row == b.start_row);
    CHECK(a.end_row == b.end_row);
    CHECK(a.name_row == b.name_row);
    CHECK(a.name_column == b.name_column);
    CHECK(a.state == b.state);
    CHECK(a.reason == b.reason);
    CHECK(a.profile == b.profile);
    CHECK(a.parent == b.parent);
    CHECK(a.verbatim_rows == b.verbatim_rows);
    CHECK(ts_node_start_byte(a.node) == ts_node_start_byte(b.node));
    CHECK(ts_node_end_byte(a.node) == ts_node_end_byte(b.node));
    CHECK(ts_node_symbol(a.node) == ts_node_symbol(b.node));
  }
}

// Applies `edits` random edits to `text`, one or two per step as an editor sends them, and
// after each step compares the incremental extraction (chained from the previous step's) with
// a whole one. Returns how many steps reused the previous extraction.
int compare_after_random_edits(const std::string& name, std::string text, int steps, unsigned seed,
                               bool opt_out = true, bool typing = false) {
  const LanguageSupport* language = LanguageRegistry::instance().by_extension(name);
  REQUIRE(language);
  Config config;
  std::mt19937 random(seed);
  auto tree = SyntaxTree::parse(language->grammar(), text);
  REQUIRE(tree.ok());
  std::shared_ptr<const ExtractedText> previous =
      extract_text(text, FileLocation(name), *language, config, &*tree);
  int reused_steps = 0;
  for (int step = 0; step < steps; ++step) {
    std::vector<TSInputEdit> edits = {random_edit(text, random, opt_out, typing)};
    if (random() % 4 == 0) edits.push_back(random_edit(text, random, opt_out, typing));
    std::vector<TSRange> changed;
    auto next = SyntaxTree::reparse(language->grammar(), *tree, edits, text, &changed);
    REQUIRE(next.ok());
    tree = std::move(next);
    bool reused = false;
    auto incremental = extract_text_after_edits(*previous, text, *tree, edits, changed, &reused);
    auto whole = extract_text(text, FileLocation(name), *language, config, &*tree);
    reused_steps += reused;
    INFO(name << ", seed " << seed << ", step " << step);
    const std::vector<FunctionInfo>* a = extracted_functions(*incremental);
    const std::vector<FunctionInfo>* b = extracted_functions(*whole);
    REQUIRE((a != nullptr) == (b != nullptr));
    if (a) check_equal(*a, *b);
    previous = incremental;
  }
  return reused_steps;
}

std::vector<fs::path> golden_inputs(const std::string& language) {
  std::vector<fs::path> inputs;
  for (const auto& entry :
       fs::directory_iterator(fs::path(TELINJECT_SOURCE_DIR) / "tests" / "golden" / language)) {
    std::string file = entry.path().filename().string();
    if (!entry.is_regular_file()) continue;
    if (file.find(".expected.") == std::string::npos) inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());
  return inputs;
}

int compare_golden(const std::string& language, int steps) {
  int reused = 0;
  unsigned seed = 1;
  for (const fs::path& input : golden_inputs(language))
    reused += compare_after_random_edits(input.filename().string(), testing::read_text(input),
                                         steps, seed++);
  return reused;
}

}  // namespace

TEST_CASE("incremental extraction equals a whole extraction after random edits: Python") {
  int reused = compare_golden("python", 40);
  CHECK(reused > 0);
  // A real module of the standard library, when this machine has it (Debian 12's Python).
  const fs::path textwrap = "/usr/lib/python3.11/textwrap.py";
  if (fs::exists(textwrap))
    CHECK(compare_after_random_edits("textwrap.py", testing::read_text(textwrap), 150, 7, false) >
          100);
}

TEST_CASE("incremental extraction equals a whole extraction after random edits: JavaScript") {
  compare_golden("javascript", 40);
  compare_golden("typescript", 40);
  compare_golden("tsx", 40);
}

TEST_CASE("incremental extraction equals a whole extraction after random edits: Go") {
  CHECK(compare_golden("go", 40) > 0);
  // A real package of the standard library, when this machine has it (Debian 12's Go).
  const fs::path strings = "/usr/share/go-1.19/src/strings/strings.go";
  if (fs::exists(strings))
    CHECK(compare_after_random_edits("strings.go", testing::read_text(strings), 150, 11, false,
                                     true) > 75);
}

}  // namespace telinject
