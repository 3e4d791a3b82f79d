#include "scanner.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "test_support.h"

using namespace telinject;
using telinject::testing::TempDir;
using telinject::testing::write_text;

namespace {

std::vector<std::string> relative_files(const ScanResult& r) {
  std::vector<std::string> out;
  for (const auto& f : r.files) out.push_back(f.relative.generic_string());
  return out;
}

std::string reason_for(const ScanResult& r, const std::string& name) {
  for (const auto& s : r.skipped)
    if (s.path.filename() == name) return s.reason;
  return "";
}

}  // namespace

TEST_SUITE("scanner") {
  TEST_CASE("finds sources, skips what it must, with reasons") {
    TempDir dir;
    write_text(dir / "app.py", "x = 1\n");
    write_text(dir / "pkg/mod.py", "x = 1\n");
    write_text(dir / "script", "#!/usr/bin/env python3\nprint(1)\n");
    write_text(dir / "notes.txt", "hello\n");
    write_text(dir / ".venv/pyvenv.cfg", "home = /usr\n");
    write_text(dir / ".venv/lib/site.py", "x = 1\n");
    write_text(dir / "node_modules/m/index.py", "x = 1\n");
    write_text(dir / "build/gen.py", "x = 1\n");
    write_text(dir / ".git/hooks/h.py", "x = 1\n");
    write_text(dir / ".gitignore", "generated_*.py\n");
    write_text(dir / "generated_a.py", "x = 1\n");
    write_text(dir / "big.py", std::string(5000, '#'));
    ScanOptions options;
    options.max_file_bytes = 1000;
    ScanResult r = scan_paths({dir.path()}, LanguageRegistry::instance(), options);
    CHECK(relative_files(r) == std::vector<std::string>{"app.py", "pkg/mod.py", "script"});
    CHECK(reason_for(r, ".venv") == "virtual environment");
    CHECK(reason_for(r, "node_modules") == "node_modules");
    CHECK(reason_for(r, "build") == "build output");
    CHECK(reason_for(r, ".git") == "version control");
    CHECK(reason_for(r, "generated_a.py") == "ignored by .gitignore");
    CHECK(reason_for(r, "big.py").rfind("over size limit", 0) == 0);
    CHECK(r.errors.empty());
  }

  TEST_CASE("include and exclude globs; explicit files; missing paths") {
    TempDir dir;
    write_text(dir / "src/a.py", "x = 1\n");
    write_text(dir / "src/legacy/b.py", "x = 1\n");
    write_text(dir / "tests/t.py", "x = 1\n");
    write_text(dir / ".gitignore", "ignored.py\n");
    write_text(dir / "ignored.py", "x = 1\n");
    ScanOptions options;
    options.include = {"src/**"};
    options.exclude = {"src/legacy"};
    ScanResult r = scan_paths({dir.path()}, LanguageRegistry::instance(), options);
    CHECK(relative_files(r) == std::vector<std::string>{"src/a.py"});
    CHECK(reason_for(r, "legacy") == "excluded by config");
    CHECK(reason_for(r, "t.py") == "not included by config");

    ScanResult explicit_file = scan_paths({dir / "ignored.py", dir / "missing.py"},
                                          LanguageRegistry::instance(), ScanOptions{});
    CHECK(relative_files(explicit_file) == std::vector<std::string>{"ignored.py"});
    CHECK(explicit_file.errors.size() == 1);
  }

  TEST_CASE("text problems") {
    CHECK_FALSE(text_problem("plain ascii text, longer than eight bytes\n"));
    CHECK_FALSE(text_problem("caf\xC3\xA9 \xE2\x98\x83 \xF0\x9F\x98\x80"));
    CHECK(text_problem(std::string("abc\0def", 7))->find("NUL byte at offset 3") != std::string::npos);
    CHECK(text_problem("ab\xC3")->find("invalid UTF-8 at byte 2") != std::string::npos);
    CHECK(text_problem("\xC0\xAF").has_value());          // overlong
    CHECK(text_problem("\xED\xA0\x80").has_value());      // surrogate
    CHECK(text_problem("\xF4\x90\x80\x80").has_value());  // past U+10FFFF
  }
}
