#include "go/go_language.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "go/go_imports.h"
#include "go/go_module.h"
#include "go/go_syntax.h"
#include "language_test_support.h"
#include "pipeline.h"
#include "runtime_helpers.h"
#include "syntax_tree.h"

using namespace telinject;
using telinject::testing::Extracted;
using telinject::testing::named;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<Extracted> extract(const std::string& text) {
  return testing::extract(go_language(), text);
}

TextResult run(const std::string& text, Action action, const FileLocation& location = "m.go") {
  return process_text(text, location, go_language(), action, Config{}, nullptr, nullptr);
}

std::string instrument(const std::string& text, const FileLocation& location = "m.go") {
  auto result = run(text, Action::kInstrument, location);
  REQUIRE_MESSAGE(result.outcome.status != FileOutcome::Status::kError, result.outcome.message);
  return result.output;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "telinject-go-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()));
    path = pattern;
  }
  ~TempDir() { fs::remove_all(path); }
  void write(const fs::path& relative, const std::string& text) const {
    fs::create_directories((path / relative).parent_path());
    std::ofstream(path / relative, std::ios::binary) << text;
  }
};

}  // namespace

TEST_SUITE("go") {
  TEST_CASE("names: functions, receivers, generics, literals") {
    auto e = extract(
        "package shapes\n"
        "func F() {\n\tg := func() {\n\t\th := func() {}\n\t\th()\n\t}\n\tg()\n}\n"
        "func (p Point) Value() int {\n\treturn 1\n}\n"
        "func (p *Point) Pointer() {\n\tp.x++\n}\n"
        "func (s *Stack[T]) Push(v T) {\n\ts.items = append(s.items, v)\n}\n"
        "func (m Map[K, V]) Get(k K) V {\n\treturn m.m[k]\n}\n"
        "func Generic[T any](x T) T {\n\treturn x\n}\n"
        "var top = func() int { return 1 }\n");
    CHECK(named(*e, "shapes.F").kind == "function");
    CHECK(named(*e, "shapes.F.func1").parent == 0);
    CHECK(named(*e, "shapes.F.func1.1").kind == "function_literal");
    CHECK(named(*e, "shapes.Point.Value").kind == "method");
    CHECK(named(*e, "shapes.(*Point).Pointer").state == FunctionState::kUninstrumented);
    CHECK(named(*e, "shapes.(*Stack).Push").name == "Push");
    CHECK(named(*e, "shapes.Map.Get").state == FunctionState::kUninstrumented);
    CHECK(named(*e, "shapes.Generic").state == FunctionState::kUninstrumented);
    const FunctionInfo& literal = named(*e, "shapes.init.func1");
    CHECK(literal.state == FunctionState::kSkipped);
    CHECK(literal.reason.find("function literal") == 0);
  }

  TEST_CASE("skipped: no body, empty body, one-line bodies gofmt would break, syntax errors") {
    auto e = extract(
        "package p\n"
        "func asm(x int) int\n"
        "func empty() {}\n"
        "func comments() {\n\t// nothing\n}\n"
        "func short() int { return 1 }\n"
        "func long(alpha, beta, gamma, delta, epsilon int) int { return alpha + beta + gamma }\n"
        "func commented() int { return 1 } // beside\n"
        "func broken() {\n\tx := (1 +\n}\n");
    CHECK(named(*e, "p.asm").reason == "no body (implemented outside Go)");
    CHECK(named(*e, "p.empty").reason == "empty body");
    CHECK(named(*e, "p.comments").reason == "empty body");
    CHECK(named(*e, "p.short").state == FunctionState::kUninstrumented);
    CHECK(named(*e, "p.long").state == FunctionState::kSkipped);
    CHECK(named(*e, "p.commented").state == FunctionState::kSkipped);
  }

  TEST_CASE("one-line bodies are measured as gofmt will space them") {
    // 41 bytes of statements as written, 63 once gofmt spaces them: with the header and the
    // telemetry that is over gofmt's 100 bytes, and gofmt would split the body over rows.
    auto e = extract(
        "package p\n"
        "func sum(a, b int) int {x:=a*b+a;y:=x-a*2;z:=y*y-x+1;return x+y+z}\n"
        "func spaced(a, b int) int { x := a*b + a; return x + b }\n");
    CHECK(named(*e, "p.sum").state == FunctionState::kSkipped);
    CHECK(named(*e, "p.spaced").state == FunctionState::kUninstrumented);
  }

  TEST_CASE("opt-out comments") {
    auto e = extract(
        "package p\n"
        "// telinject: ignore\n"
        "func a() {\n\tx()\n}\n"
        "func b() { // telinject: ignore\n\tx()\n}\n"
        "func c() {\n\tx(\"// telinject: ignore\")\n}\n");
    CHECK(named(*e, "p.a").state == FunctionState::kOptedOut);
    CHECK(named(*e, "p.b").state == FunctionState::kOptedOut);
    CHECK(named(*e, "p.c").state == FunctionState::kUninstrumented);
    auto file = extract("// telinject: ignore\npackage p\nfunc a() {\n\tx()\n}\n");
    CHECK(file->functions[0].state == FunctionState::kOptedOut);
  }

  TEST_CASE("logical lines follow //line and trailing /*line*/ directives") {
    SourceText source(
        "package p\n"        // 0
        "\n"                 // 1
        "//line a.y:100\n"   // 2
        "x\n"                // 3 -> 100
        "y\n"                // 4 -> 101
        "z /*line :7:1*/\n"  // 5 -> 102, its break is 7
        "w\n"                // 6 -> 8
        "//line :bad\n"      // 7 not a directive
        "v\n");              // 8 -> 10
    CHECK(go::logical_line(source, 1) == 2);
    CHECK(go::logical_line(source, 3) == 100);
    CHECK(go::logical_line(source, 4) == 101);
    CHECK(go::logical_line(source, 6) == 8);
    CHECK(go::logical_line(source, 8) == 10);
  }

  TEST_CASE("every original row keeps its line number after instrumentation") {
    const std::string input =
        "// Package p.\n"
        "package p\n\n"
        "import (\n\t\"fmt\"\n\t\"os\"\n)\n\n"
        "var v = 1\n\n"
        "func A() {\n\tfmt.Println(1)\n}\n\n"
        "// telinject: ignore\n"
        "func Skipped() {\n\tpanic(2)\n}\n\n"
        "func (t *T) B(x int) (int, error) { // after the brace\n"
        "\t// a comment first\n\tif x > 0 {\n\t\treturn x, nil\n\t}\n\treturn 0, os.ErrClosed\n}\n";
    SourceText original(input);
    SourceText output(instrument(input));
    REQUIRE(output.row_count() > original.row_count());
    for (uint32_t row = 0; row < original.row_count(); ++row) {
      bool found = false;
      for (uint32_t out = 0; out < output.row_count() && !found; ++out)
        found = go::logical_line(output, out) == row + 1 &&
                output.row_text(out) == original.row_text(row);
      CHECK_MESSAGE(found, "row " << row + 1 << " moved: " << original.row_text(row));
    }
  }

  TEST_CASE("go.mod: module path, helper path and import path") {
    CHECK(go::module_path_of("// comment\nmodule example.com/m // trailing\n\ngo 1.21\n") ==
          "example.com/m");
    CHECK(go::module_path_of("module \"quoted/path\"\r\n") == "quoted/path");
    CHECK(go::module_path_of("go 1.21\n").empty());

    TempDir dir;
    dir.write("go.mod", "module example.com/m\n");
    dir.write("cmd/tool/go.mod", "module example.com/tool\n");
    dir.write("std/go.mod", "module std\n");
    // The scanned root may lie inside the module: the helper goes to the module's root.
    CHECK(go::helper_file({dir.path / "pkg", "a/b.go"}) == fs::path("../telinject/telinject.go"));
    CHECK(go::helper_import_path({dir.path / "pkg", "a/b.go"}) == "example.com/m/telinject");
    CHECK(go::helper_file({dir.path, "cmd/tool/main.go"}) ==
          fs::path("cmd/tool/telinject/telinject.go"));
    CHECK(go::helper_import_path({dir.path, "cmd/tool/main.go"}) == "example.com/tool/telinject");
    CHECK(go::helper_import_path({dir.path, "std/fmt/print.go"}) == "telinject");
    // Without a root nothing is looked up.
    CHECK(go::helper_import_path(FileLocation("x.go")) == "telinject");
    CHECK(go::helper_file(FileLocation("x.go")) == fs::path("telinject/telinject.go"));

    std::string out =
        instrument("package a\n\nfunc F() {\n\tg()\n}\n", {dir.path / "pkg", "a/b.go"});
    CHECK(out.find("import _telinject \"example.com/m/telinject\"") != std::string::npos);
  }

  TEST_CASE("names in a module start with the import path, as in Go's stack traces") {
    TempDir dir;
    dir.write("go.mod", "module example.com/m\n");
    auto names = [&](const std::string& text, const FileLocation& location) {
      std::vector<std::string> out;
      for (const FunctionOutcome& f : run(text, Action::kCheck, location).outcome.functions)
        out.push_back(f.qualified_name);
      return out;
    };
    const std::string store =
        "package store\n\nfunc (s *Store) Get() int {\n\tf := func() {}\n\treturn 1\n}\n";
    const std::vector<std::string> expected = {"example.com/m/internal/store.(*Store).Get",
                                               "example.com/m/internal/store.(*Store).Get.func1"};
    CHECK(names(store, {dir.path, "internal/store/store.go"}) == expected);
    CHECK(names(store, {dir.path / "internal/store", "store.go"}) == expected);
    // An external test package is the import path with _test; an internal one the package's.
    const std::string test = "package foo_test\n\nfunc TestX(t *testing.T) {\n\tx()\n}\n";
    CHECK(names(test, {dir.path, "x/foo/foo_test.go"}) ==
          std::vector<std::string>{"example.com/m/x/foo_test.TestX"});
    CHECK(names("package foo\n\nfunc TestY(t *testing.T) {\n\tx()\n}\n",
                {dir.path, "x/foo/y_test.go"}) ==
          std::vector<std::string>{"example.com/m/x/foo.TestY"});
    CHECK(names("package foo_test\n\nfunc F() {\n\tx()\n}\n", {dir.path, "x/foo/f.go"}) ==
          std::vector<std::string>{"example.com/m/x/foo.F"});
    // A program's package main is "main" for the runtime, wherever it sits.
    CHECK(names("package main\n\nfunc main() {\n\tx()\n}\n", {dir.path, "cmd/tool/main.go"}) ==
          std::vector<std::string>{"main.main"});
    // Outside a module, the package clause.
    CHECK(names(store, "internal/store/store.go") ==
          std::vector<std::string>{"store.(*Store).Get", "store.(*Store).Get.func1"});
    std::string out = instrument(store, {dir.path, "internal/store/store.go"});
    CHECK(out.find("defer _telinject.Span(\"example.com/m/internal/store.(*Store).Get\")()") !=
          std::string::npos);
  }

  TEST_CASE("imports: sorted into a plain group, else a declaration of its own") {
    const std::string body = "\nfunc F() {\n\tg()\n}\n";
    std::string grouped = instrument("package p\n\nimport (\n\t\"a\"\n\t\"z\"\n)\n" + body);
    CHECK(grouped.find("\t\"a\"\n\t_telinject \"telinject\" /*line :4:1*/\n\t\"z\"\n") !=
          std::string::npos);
    std::string runs = instrument("package p\n\nimport (\n\t\"a\"\n\n\t\"x.org/b\"\n)\n" + body);
    CHECK(runs.find("\t\"a\"\n\n\t_telinject \"telinject\" /*line :5:1*/\n\t\"x.org/b\"\n") !=
          std::string::npos);
    std::string commented = instrument("package p\n\nimport (\n\t\"a\" // why\n)\n" + body);
    CHECK(commented.find(")\nimport _telinject \"telinject\" /*line :5:1*/\n") !=
          std::string::npos);
    std::string cgo = instrument("package p\n\n// #include <x.h>\nimport \"C\"\n" + body);
    CHECK(cgo.find("import \"C\"\nimport _telinject \"telinject\" /*line :4:1*/\n") !=
          std::string::npos);
    // A comment right below would share the import's line for go/parser: no directive then.
    std::string none = instrument("package p\n\n// F does.\nfunc F() {\n\tg()\n}\n");
    CHECK(none.find("package p\n\nimport _telinject \"telinject\"\n\n// F does.") == 0);
    for (const std::string& text : {grouped, runs, commented, cgo, none}) {
      auto removed = run(text, Action::kRemove);
      CHECK(removed.output.find("telinject") == std::string::npos);
    }
  }

  TEST_CASE("second run changes nothing; remove restores the bytes") {
    const std::string input =
        "package p\r\n\r\nimport \"fmt\"\r\n\r\nfunc A() {\r\n\tfmt.Println()\r\n}\r\n\r\n"
        "func B() int { return 2 }\r\n";
    std::string once = instrument(input);
    CHECK(once.find("\r\n//line :5:1\r\n\tdefer _telinject.Span(\"p.A\")()\r\n") !=
          std::string::npos);
    CHECK(once.find("func B() int { defer _telinject.Span(\"p.B\")(); return 2 }") !=
          std::string::npos);
    auto again = run(once, Action::kInstrument);
    CHECK(again.outcome.instrumented == 0);
    CHECK(again.output == once);
    CHECK(run(once, Action::kRemove).output == input);
  }

  TEST_CASE("telemetry edited by hand is neither wrapped again nor removed") {
    std::string out = instrument("package p\n\nfunc A() {\n\tx()\n}\n");
    std::string edited = out;
    edited.replace(edited.find("\tdefer"), 1, "\tx()\n\t");  // a statement moved above it
    auto e = extract(edited);
    CHECK(e->functions[0].state == FunctionState::kSkipped);
    CHECK(e->functions[0].reason.rfind("telemetry edited by hand", 0) == 0);
    auto removed = run(edited, Action::kRemove);
    CHECK(removed.outcome.status == FileOutcome::Status::kError);
    CHECK(removed.output == edited);
  }

  TEST_CASE("opentelemetry profile: rows after directives, context parameters, exact removal") {
    Config config;
    config.profile = "opentelemetry";
    const std::string input =
        "package p\n\nimport \"context\"\n\n// A has a context.\nfunc A(ctx context.Context) "
        "{\n\tB()\n}\n\nfunc B() {\n\tx()\n}\n\nfunc C() int { return 1 }\n";
    auto first =
        process_text(input, "p.go", go_language(), Action::kInstrument, config, nullptr, nullptr);
    REQUIRE(first.outcome.status != FileOutcome::Status::kError);
    CHECK(first.outcome.instrumented == 2);
    const std::string& out = first.output;
    CHECK(out.find("import _telinject_otel \"go.opentelemetry.io/otel\"") != std::string::npos);
    CHECK(out.find("Start(_telinject_context.Context(ctx), \"p.A\")\n//line :6:1\n\tctx = "
                   "_telinject_ctx\n") != std::string::npos);
    CHECK(out.find("Start(_telinject_context.Background(), \"p.B\")\n//line :10:1\n\t_ = "
                   "_telinject_ctx\n") != std::string::npos);
    CHECK(out.find("_telinject_attribute.Int(\"code.line.number\", 10)") != std::string::npos);
    // The rows below keep their numbers: every inserted row follows a directive.
    CHECK(out.find("\t}()\n\tB()\n}") != std::string::npos);

    // The deferred closure is the profile's: the file still has three functions.
    std::vector<LanguageTemplate> known = go_language().builtin_templates();
    std::swap(known[0], known[1]);
    SourceText source(out);
    auto tree = SyntaxTree::parse(go_language().grammar(), source.text());
    REQUIRE(tree.ok());
    auto functions = go_language().extract({source, tree->root(), ""}, known);
    REQUIRE(functions.size() == 3);
    CHECK(functions[0].state == FunctionState::kInstrumented);
    CHECK(functions[0].profile == "opentelemetry");
    CHECK(functions[2].state == FunctionState::kSkipped);  // one-line body

    auto removed =
        process_text(out, "p.go", go_language(), Action::kRemove, config, nullptr, nullptr);
    CHECK(removed.output == input);

    // A row of the telemetry changed by hand: neither instrumented again nor removed.
    std::string edited = out;
    edited.replace(edited.find("defer _telinject_span.End()"), 5, "go   ");
    auto again =
        process_text(edited, "p.go", go_language(), Action::kRemove, config, nullptr, nullptr);
    CHECK(again.outcome.status == FileOutcome::Status::kError);
  }

  TEST_CASE("runtime helper and checker") {
    auto files = go_language().runtime(FileLocation("a.go"));
    REQUIRE(files.size() == 6);
    CHECK(files[0].relative_path == fs::path("telinject/telinject.go"));
    CHECK(files[0].content.find("package telinject") != std::string_view::npos);
    CHECK(go_language().checker_command("x.go").front() == "sh");
  }

  TEST_CASE("runtime helper: the OTLP/HTTP exporter is a second file, behind a build tag") {
    TempDir dir;
    dir.write("go.mod", "module example.com/m\n\ngo 1.11\n");
    auto files = go_language().runtime({dir.path / "pkg", "a/b.go"});
    REQUIRE(files.size() == 6);
    // Beside telinject.go, wherever the module puts it.
    CHECK(files[0].relative_path == fs::path("../telinject/telinject.go"));
    CHECK(files[1].relative_path == fs::path("../telinject/otlp_http.go"));
    CHECK(files[4].relative_path == fs::path("../telinject/goroutine_amd64.s"));
    std::string_view core = files[0].content, otlp = files[1].content;
    CHECK(otlp.find("\npackage telinject\n") != std::string_view::npos);
    // Built only with the tag, in both syntaxes (go 1.11 directives and gofmt 1.19), before the
    // package clause; the default file links no package net.
    auto package = otlp.find("\npackage telinject\n");
    CHECK(otlp.find("\n//go:build telinject_otlp\n// +build telinject_otlp\n") < package);
    CHECK(otlp.find("\t\"net\"\n") != std::string_view::npos);
    CHECK(core.find("\t\"net\"\n") == std::string_view::npos);
    CHECK(core.find("//go:build") == std::string_view::npos);
    // Each file is recognised as telinject's by its first line (a user's own file of that name
    // is never overwritten): the two lines differ.
    CHECK_FALSE(same_first_line(core, otlp));
  }
}
