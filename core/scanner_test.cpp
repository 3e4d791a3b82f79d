#include "scanner.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "test_support.h"

using namespace telinject;
using telinject::testing::TempDir;
using telinject::testing::write_text;

namespace fs = std::filesystem;

namespace {

using Strings = std::vector<std::string>;

Strings relative_files(const ScanResult& r) {
  Strings out;
  for (const auto& f : r.files) out.push_back(f.relative.generic_string());
  return out;
}

// Skipped paths below `root` with their reasons; fails the test on duplicates.
std::map<std::string, std::string> skipped_below(const ScanResult& r, const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& s : r.skipped) {
    bool fresh = out.emplace(s.path.lexically_relative(root).generic_string(), s.reason).second;
    CHECK_MESSAGE(fresh, "reported twice: ", s.path);
  }
  return out;
}

ScanResult scan(const fs::path& path, const ScanOptions& options = {}) {
  return scan_paths({path}, LanguageRegistry::instance(), options);
}

const std::string kSource = "x = 1\n";

}  // namespace

TEST_SUITE("scanner") {
  TEST_CASE("finds sources by extension and shebang, sorted with their language") {
    TempDir dir;
    write_text(dir / "b.py", kSource);
    write_text(dir / "a.py", kSource);
    write_text(dir / "pkg/mod.py", kSource);
    write_text(dir / "pkg/sub/deep.py", kSource);
    write_text(dir / "script", "#!/usr/bin/env python3\nprint(1)\n");
    write_text(dir / "crlf_script", "#!/usr/bin/python3\r\nprint(1)\r\n");
    write_text(dir / "Makefile", "all:\n\techo\n");
    write_text(dir / "shell", "#!/bin/sh\necho\n");
    write_text(dir / "notes.txt", "hello\n");
    write_text(dir / "empty", "");
    ScanResult r = scan(dir.path());
    CHECK(relative_files(r) ==
          Strings{"a.py", "b.py", "crlf_script", "pkg/mod.py", "pkg/sub/deep.py", "script"});
    CHECK(r.skipped.empty());  // unknown languages are not reported
    CHECK(r.errors.empty());
    for (const auto& f : r.files) {
      CHECK(f.root == dir.path());
      CHECK(f.path == dir.path() / f.relative);
      REQUIRE(f.language != nullptr);
      CHECK(f.language->name() == "python");
    }
  }

  TEST_CASE("skips tool directories wholesale, once each, with their reason") {
    TempDir dir;
    write_text(dir / "app.py", kSource);
    for (const char* vcs : {".git", ".hg", ".svn", ".bzr", "_darcs", ".jj", ".pijul"})
      write_text(dir / vcs / "hook.py", kSource);
    write_text(dir / ".venv/pyvenv.cfg", "home = /usr\n");
    write_text(dir / ".venv/lib/site.py", kSource);
    write_text(dir / "venv/bin/activate", "");
    write_text(dir / "venv/lib/x.py", kSource);
    write_text(dir / "env/Scripts/activate", "");
    write_text(dir / "any_name_env/pyvenv.cfg", "");
    write_text(dir / "conda/conda-meta/history", "");
    write_text(dir / "node_modules/m/index.py", kSource);
    write_text(dir / "go/vendor/modules.txt", "# example.com/dep v1.0.0\n");
    write_text(dir / "go/vendor/example.com/dep/dep.go", "package dep\n");
    for (const char* cache : {"__pycache__", ".tox", ".mypy_cache", ".pytest_cache"})
      write_text(dir / "pkg" / cache / "x.py", kSource);
    write_text(dir / ".telemetry_cache/x.py", kSource);
    // Named like a virtual environment but is not one: walked.
    write_text(dir / "env2/ok.py", kSource);
    write_text(dir / "src/env/ok.py", kSource);
    // Build output and vendor names are ordinary folders unless .gitignore or the config says
    // otherwise (pip has `_internal/operations/build`); so is a vendor folder without Go's record.
    for (const char* output : {"build", "dist", "target", "out", "pkg.egg-info"})
      write_text(dir / "lib" / output / "gen.py", kSource);
    write_text(dir / "cmake-build/CMakeCache.txt", "");
    write_text(dir / "cmake-build/gen.py", kSource);
    write_text(dir / "vendor/lib.py", kSource);

    ScanResult r = scan(dir.path());
    CHECK(relative_files(r) == Strings{"app.py", "cmake-build/gen.py", "env2/ok.py",
                                       "lib/build/gen.py", "lib/dist/gen.py", "lib/out/gen.py",
                                       "lib/pkg.egg-info/gen.py", "lib/target/gen.py",
                                       "src/env/ok.py", "vendor/lib.py"});
    CHECK(skipped_below(r, dir.path()) == std::map<std::string, std::string>{
                                              {".bzr", "version control"},
                                              {".git", "version control"},
                                              {".hg", "version control"},
                                              {".jj", "version control"},
                                              {".pijul", "version control"},
                                              {".svn", "version control"},
                                              {".telemetry_cache", "telinject cache"},
                                              {".venv", "virtual environment"},
                                              {"_darcs", "version control"},
                                              {"any_name_env", "virtual environment"},
                                              {"conda", "virtual environment"},
                                              {"env", "virtual environment"},
                                              {"go/vendor", "Go vendor directory"},
                                              {"node_modules", "node_modules"},
                                              {"pkg/.mypy_cache", "cache"},
                                              {"pkg/.pytest_cache", "cache"},
                                              {"pkg/.tox", "cache"},
                                              {"pkg/__pycache__", "cache"},
                                              {"venv", "virtual environment"},
                                          });
  }

  TEST_CASE("an include pattern naming a skipped folder or file brings it back") {
    TempDir dir;
    write_text(dir / ".gitignore", "build/\n*_pb2.py\nscratch.py\n");
    write_text(dir / "src/app.py", kSource);
    write_text(dir / "src/scratch.py", kSource);
    write_text(dir / "src/api_pb2.py", kSource);
    write_text(dir / "src/ops/build/step.py", kSource);
    write_text(dir / "src/ops/build/step_pb2.py", kSource);
    write_text(dir / "src/node_modules/m/index.py", kSource);
    write_text(dir / "src/.venv/pyvenv.cfg", "");
    write_text(dir / "src/.venv/lib/site.py", kSource);
    write_text(dir / "src/legacy/build/old.py", kSource);

    // Broad patterns do not reach into what the defaults or .gitignore skip.
    ScanOptions broad;
    broad.include = {"src", "src/**", "**/*.py"};
    ScanResult b = scan(dir.path(), broad);
    CHECK(relative_files(b) == Strings{"src/app.py"});
    CHECK(skipped_below(b, dir.path()) == std::map<std::string, std::string>{
                                              {"src/.venv", "virtual environment"},
                                              {"src/api_pb2.py", "ignored by .gitignore"},
                                              {"src/legacy/build", "ignored by .gitignore"},
                                              {"src/node_modules", "node_modules"},
                                              {"src/ops/build", "ignored by .gitignore"},
                                              {"src/scratch.py", "ignored by .gitignore"},
                                          });

    // Patterns that name them (written out, no wildcard on the name) do, through .gitignore and
    // the default skips alike; exclude still wins; inside a folder brought back, files ignored
    // one by one must be named too.
    ScanOptions named;
    named.include = {"src/app.py",        "src/ops/build",    "src/api_pb2.py",
                     "src/node_modules/", "src/.venv/lib/**", "src/legacy/build"};
    named.exclude = {"src/legacy/"};
    ScanResult n = scan(dir.path(), named);
    CHECK(relative_files(n) == Strings{"src/.venv/lib/site.py", "src/api_pb2.py", "src/app.py",
                                       "src/node_modules/m/index.py", "src/ops/build/step.py"});
    CHECK(skipped_below(n, dir.path()) ==
          std::map<std::string, std::string>{
              {"src/legacy", "excluded by config"},
              {"src/ops/build/step_pb2.py", "ignored by .gitignore"},
              {"src/scratch.py", "ignored by .gitignore"},
          });
  }

  TEST_CASE("honours .gitignore files at every level") {
    TempDir dir;
    write_text(dir / "app.py", kSource);
    write_text(dir / "generated_a.py", kSource);
    write_text(dir / "only_top.py", kSource);
    write_text(dir / "notes.txt", "not source: ignored silently\n");
    write_text(dir / "logs/x.py", kSource);
    write_text(dir / "logs/y.py", kSource);
    write_text(dir / "pkg/only_top.py", kSource);
    write_text(dir / "pkg/.gitignore", "!generated_keep.py\nlocal.py\n");
    write_text(dir / "pkg/generated_keep.py", kSource);
    write_text(dir / "pkg/generated_b.py", kSource);
    write_text(dir / "pkg/local.py", kSource);
    write_text(dir / "local.py", kSource);  // pkg's rule does not reach up
    // Inside an ignored directory nothing can be re-included.
    write_text(dir / "data/.gitignore", "!*.py\n");
    write_text(dir / "data/keep.py", kSource);
    write_text(dir / ".gitignore", "generated_*.py\nlogs/\n/only_top.py\n*.txt\ndata/\n");

    ScanResult r = scan(dir.path());
    CHECK(relative_files(r) ==
          Strings{"app.py", "local.py", "pkg/generated_keep.py", "pkg/only_top.py"});
    CHECK(skipped_below(r, dir.path()) == std::map<std::string, std::string>{
                                              {"data", "ignored by .gitignore"},
                                              {"generated_a.py", "ignored by .gitignore"},
                                              {"logs", "ignored by .gitignore"},
                                              {"only_top.py", "ignored by .gitignore"},
                                              {"pkg/generated_b.py", "ignored by .gitignore"},
                                              {"pkg/local.py", "ignored by .gitignore"},
                                          });

    ScanOptions no_git;
    no_git.use_gitignore = false;
    ScanResult all = scan(dir.path(), no_git);
    CHECK(all.files.size() == 11);
    CHECK(all.skipped.empty());
  }

  TEST_CASE("rules above the root apply up to the enclosing repository") {
    TempDir dir;
    write_text(dir / "outside/.gitignore", "*.py\n");  // above the repository: not applied
    write_text(dir / "outside/repo/.git/HEAD", "ref: refs/heads/main\n");
    write_text(dir / "outside/repo/.git/info/exclude", "excluded_locally.py\n");
    write_text(dir / "outside/repo/.gitignore", "top_*.py\n");
    write_text(dir / "outside/repo/src/.gitignore", "mid_*.py\n");
    write_text(dir / "outside/repo/src/app/top_x.py", kSource);
    write_text(dir / "outside/repo/src/app/mid_x.py", kSource);
    write_text(dir / "outside/repo/src/app/excluded_locally.py", kSource);
    write_text(dir / "outside/repo/src/app/main.py", kSource);
    // A repository nested inside has its own rules only.
    write_text(dir / "outside/repo/src/app/sub/.git", "gitdir: /nonexistent\n");
    write_text(dir / "outside/repo/src/app/sub/top_y.py", kSource);

    fs::path root = dir / "outside/repo/src/app";
    ScanResult r = scan(root);
    CHECK(relative_files(r) == Strings{"main.py", "sub/top_y.py"});
    CHECK(skipped_below(r, root) == std::map<std::string, std::string>{
                                        {"excluded_locally.py", "ignored by .gitignore"},
                                        {"mid_x.py", "ignored by .gitignore"},
                                        {"top_x.py", "ignored by .gitignore"},
                                    });

    // Without a repository above, a parent's .gitignore is not consulted.
    write_text(dir / "norepo/.gitignore", "*.py\n");
    write_text(dir / "norepo/sub/a.py", kSource);
    CHECK(relative_files(scan(dir / "norepo/sub")) == Strings{"a.py"});
  }

  TEST_CASE("include and exclude globs") {
    TempDir dir;
    write_text(dir / "src/a.py", kSource);
    write_text(dir / "src/a_test.py", kSource);
    write_text(dir / "src/legacy/b.py", kSource);
    write_text(dir / "src/legacy/notes.md", "");
    write_text(dir / "lib/c.py", kSource);
    write_text(dir / "tests/t.py", kSource);
    write_text(dir / "tests/readme.txt", "");
    ScanOptions options;
    options.include = {"./src", "lib/*.py"};
    options.exclude = {"src/legacy/", "*_test.py"};
    ScanResult r = scan(dir.path(), options);
    CHECK(relative_files(r) == Strings{"lib/c.py", "src/a.py"});
    CHECK(skipped_below(r, dir.path()) == std::map<std::string, std::string>{
                                              {"src/a_test.py", "excluded by config"},
                                              {"src/legacy", "excluded by config"},
                                              {"tests/t.py", "not included by config"},
                                          });

    ScanOptions deep;
    deep.include = {"src/**/*.py"};
    deep.exclude = {"**/legacy/**"};
    ScanResult d = scan(dir.path(), deep);
    CHECK(relative_files(d) == Strings{"src/a.py", "src/a_test.py"});
    CHECK(skipped_below(d, dir.path()).at("src/legacy/b.py") == "excluded by config");
  }

  TEST_CASE("size limit") {
    TempDir dir;
    write_text(dir / "small.py", std::string(1000, '#'));
    write_text(dir / "big.py", std::string(1001, '#'));
    ScanOptions options;
    options.max_file_bytes = 1000;
    ScanResult r = scan(dir.path(), options);
    CHECK(relative_files(r) == Strings{"small.py"});
    CHECK(skipped_below(r, dir.path()).at("big.py") == "over size limit (1001 bytes)");
    // Explicit files too.
    ScanResult explicit_big = scan(dir / "big.py", options);
    CHECK(explicit_big.files.empty());
    CHECK(explicit_big.skipped.size() == 1);
    // remove and check take them, marked.
    options.take_oversized = true;
    ScanResult taken = scan(dir.path(), options);
    REQUIRE(relative_files(taken) == Strings{"big.py", "small.py"});
    CHECK(taken.files[0].over_size_limit);
    CHECK(taken.files[0].size == 1001);
    CHECK_FALSE(taken.files[1].over_size_limit);
    CHECK(taken.skipped.empty());
  }

  TEST_CASE("symbolic links are never followed") {
    TempDir dir;
    write_text(dir / "real/a.py", kSource);
    write_text(dir / "tree/own.py", kSource);
    write_text(dir / "tree/shebang_target", "#!/usr/bin/env python\n");
    std::error_code ec;
    fs::create_symlink(dir / "real/a.py", dir / "tree/link.py", ec);
    if (ec) return;  // the file system cannot hold links
    fs::create_directory_symlink(dir / "real", dir / "tree/linked_dir");
    fs::create_directory_symlink(dir / "tree", dir / "tree/loop");
    fs::create_symlink(dir / "tree/shebang_target", dir / "tree/linked_script");
    fs::create_symlink(dir / "missing.py", dir / "tree/broken.py");
    fs::create_symlink(dir / "missing.txt", dir / "tree/broken.txt");
    write_text(dir / "notes.txt", "");
    fs::create_symlink(dir / "notes.txt", dir / "tree/notes_link");

    ScanResult r = scan(dir / "tree");
    CHECK(relative_files(r) == Strings{"own.py", "shebang_target"});
    CHECK(skipped_below(r, dir / "tree") == std::map<std::string, std::string>{
                                                {"broken.py", "symbolic link"},
                                                {"link.py", "symbolic link"},
                                                {"linked_dir", "symbolic link"},
                                                {"linked_script", "symbolic link"},
                                                {"loop", "symbolic link"},
                                            });
    // Named explicitly, a link is taken.
    CHECK(relative_files(scan(dir / "tree/link.py")) == Strings{"link.py"});
  }

  TEST_CASE("explicit files, missing paths, overlapping arguments") {
    TempDir dir;
    write_text(dir / ".gitignore", "ignored.py\n");
    write_text(dir / "ignored.py", kSource);
    write_text(dir / "pkg/a.py", kSource);
    write_text(dir / "pkg/b.py", kSource);
    write_text(dir / "notes.txt", "");
    write_text(dir / "node_modules/gen.py", kSource);

    ScanResult r = scan_paths({dir / "ignored.py", dir / "missing.py", dir / "notes.txt"},
                              LanguageRegistry::instance(), ScanOptions{});
    REQUIRE(r.files.size() == 1);
    CHECK(r.files[0].root == dir.path());
    CHECK(r.files[0].relative == "ignored.py");
    CHECK(r.errors == Strings{(dir / "missing.py").string() + ": no such file or directory"});
    CHECK(skipped_below(r, dir.path()) ==
          std::map<std::string, std::string>{{"notes.txt", "not a supported language"}});

    // The same files through several spellings and overlapping arguments: once each, and a
    // file skipped under one argument but named by another is taken, not reported.
    ScanResult overlap = scan_paths({dir.path(), dir / "pkg", dir.path().string() + "/",
                                     dir / "pkg/../pkg/a.py", dir / "ignored.py"},
                                    LanguageRegistry::instance(), ScanOptions{});
    CHECK(relative_files(overlap) == Strings{"ignored.py", "pkg/a.py", "pkg/b.py"});
    CHECK(skipped_below(overlap, dir.path()) ==
          std::map<std::string, std::string>{{"node_modules", "node_modules"}});
    CHECK(overlap.errors.empty());

    // A directory named explicitly is walked even when it would be skipped below a root.
    CHECK(relative_files(scan(dir / "node_modules")) == Strings{"gen.py"});
  }

  TEST_CASE("a streamed scan gives the same files in the same order, as the walk finds them") {
    TempDir dir;
    for (const char* name : {"b/z.py", "b/a.py", "a/x.py", "a/sub/y.py", "a.py", "c/w.py"})
      write_text(dir / name, kSource);
    // Disjoint arguments out of order, one missing: walked in path order, errors kept in the
    // order of the arguments.
    std::vector<fs::path> arguments = {dir / "c",    dir / "missing", dir / "a",
                                       dir / "a.py", dir / "b",       dir / "gone"};
    ScanResult listed = scan_paths(arguments, LanguageRegistry::instance(), ScanOptions{});
    std::vector<fs::path> streamed;
    ScanResult rest = scan_paths(arguments, LanguageRegistry::instance(), ScanOptions{},
                                 [&](ScannedFile&& file) { streamed.push_back(file.path); });
    std::vector<fs::path> expected;
    // Component by component: the folder a/ comes before a.py.
    for (const char* name : {"a/sub/y.py", "a/x.py", "a.py", "b/a.py", "b/z.py", "c/w.py"})
      expected.push_back(dir / name);
    std::vector<fs::path> listed_paths;
    for (const ScannedFile& file : listed.files) listed_paths.push_back(file.path);
    CHECK(listed_paths == expected);
    CHECK(streamed == expected);
    CHECK(rest.files.empty());
    CHECK(rest.errors == Strings{(dir / "missing").string() + ": no such file or directory",
                                 (dir / "gone").string() + ": no such file or directory"});
    CHECK(listed.errors == rest.errors);

    // Overlapping arguments are collected first: still once each, in path order.
    streamed.clear();
    scan_paths({dir / "b", dir.path(), dir / "a/x.py"}, LanguageRegistry::instance(), ScanOptions{},
               [&](ScannedFile&& file) { streamed.push_back(file.path); });
    CHECK(streamed == expected);
  }

  TEST_CASE("text problems") {
    CHECK_FALSE(text_problem(""));
    CHECK_FALSE(text_problem("plain ascii text, longer than eight bytes\n"));
    CHECK_FALSE(text_problem("caf\xC3\xA9 \xE2\x98\x83 \xF0\x9F\x98\x80 and more ascii after it"));
    CHECK_FALSE(text_problem("\xEF\xBB\xBFwith a byte order mark"));
    // Boundaries that are valid: U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000,
    // U+10FFFF.
    CHECK_FALSE(
        text_problem("\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF"
                     "\xF0\x90\x80\x80\xF4\x8F\xBF\xBF"));

    CHECK(*text_problem(std::string("abc\0def", 7)) == "binary file (NUL byte at offset 3)");
    CHECK(*text_problem(std::string("0123456789abcdefg\0", 18)) ==
          "binary file (NUL byte at offset 17)");
    CHECK(*text_problem(std::string(1, '\0')) == "binary file (NUL byte at offset 0)");

    auto invalid_at = [](std::string_view bytes) {
      std::optional<std::string> problem = text_problem(bytes);
      return problem ? *problem : std::string("valid");
    };
    CHECK(invalid_at("ab\xC3") == "invalid UTF-8 at byte 2");               // truncated at end
    CHECK(invalid_at("0123456789\xE2\x98") == "invalid UTF-8 at byte 10");  // truncated 3-byte
    CHECK(invalid_at("\xF0\x9F\x98") == "invalid UTF-8 at byte 0");         // truncated 4-byte
    CHECK(invalid_at("abcdefgh\xC3(") == "invalid UTF-8 at byte 8");        // bad continuation
    CHECK(invalid_at("x\x80") == "invalid UTF-8 at byte 1");                // lone continuation
    CHECK(invalid_at("caf\xE9 latin-1") == "invalid UTF-8 at byte 3");
    CHECK(invalid_at("\xC0\xAF") == "invalid UTF-8 at byte 0");          // overlong '/'
    CHECK(invalid_at("\xC1\xBF") == "invalid UTF-8 at byte 0");          // overlong
    CHECK(invalid_at("\xE0\x9F\xBF") == "invalid UTF-8 at byte 0");      // overlong 3-byte
    CHECK(invalid_at("\xF0\x8F\xBF\xBF") == "invalid UTF-8 at byte 0");  // overlong 4-byte
    CHECK(invalid_at("\xED\xA0\x80") == "invalid UTF-8 at byte 0");      // surrogate D800
    CHECK(invalid_at("\xED\xBF\xBF") == "invalid UTF-8 at byte 0");      // surrogate DFFF
    CHECK(invalid_at("\xF4\x90\x80\x80") == "invalid UTF-8 at byte 0");  // past U+10FFFF
    CHECK(invalid_at("\xF5\x80\x80\x80") == "invalid UTF-8 at byte 0");
    CHECK(invalid_at("\xFF") == "invalid UTF-8 at byte 0");
    CHECK(invalid_at("\xE2\x98\x83\xE2\x28\xA1") == "invalid UTF-8 at byte 3");
  }
}
