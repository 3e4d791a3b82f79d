#include "java/java_language.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "java/java_syntax.h"
#include "language_test_support.h"
#include "pipeline.h"
#include "syntax_tree.h"

using namespace telinject;
using telinject::testing::Extracted;
using telinject::testing::named;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<Extracted> extract(const std::string& text) {
  return testing::extract(java_language(), text);
}

TextResult run(const std::string& text, Action action,
               const FileLocation& location = "src/com/example/Shop.java") {
  return process_text(text, location, java_language(), action, Config{}, nullptr, nullptr);
}

struct TempDir {
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("telinject_java_test_" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  void write(const std::string& relative, const std::string& text) const {
    fs::create_directories((path_ / relative).parent_path());
    std::ofstream(path_ / relative) << text;
  }

 private:
  fs::path path_;
};

const char* kShop = R"(package com.example;

public class Shop {
  private final int size;
  Shop() { this(3); System.out.println("x"); }
  Shop(int size) { this.size = size; }
  static <T> T first(java.util.List<T> list) { return list.get(0); }
  abstract static class Base { abstract void f(); native int g(); }
  interface Api { default int one() { return 1; } static int two() { return 2; } int three(); }
  record Point(int x, int y) { Point { if (x < 0) throw new IllegalArgumentException(); } }
  enum Kind { A { int f() { return 1; } }, B; int f() { return 0; } }
  static { System.out.println("static"); }
  { System.out.println("instance"); }
  Runnable field = () -> { System.out.println("field"); };
  static Runnable shared = () -> { System.out.println("shared"); };
  class Cart {
    void add() {
      Runnable r = () -> {
        Runnable inner = () -> { System.out.println("inner"); };
      };
      java.util.function.IntUnaryOperator twice = x -> x * 2;
      Object o = new Object() { public String toString() { return "anonymous"; } };
      class Local { void run() { System.out.println("local"); } }
    }
  }
  void empty() {}
}
)";

}  // namespace

TEST_CASE("java: names as a Java stack trace prints them, for every function form") {
  auto e = extract(kShop);
  CHECK(named(*e, "com.example.Shop.<init>").kind == "constructor");
  CHECK(named(*e, "com.example.Shop.first").kind == "method");
  CHECK(named(*e, "com.example.Shop$Base.f").state == FunctionState::kSkipped);
  CHECK(named(*e, "com.example.Shop$Base.g").reason == "no body (abstract or native)");
  CHECK(named(*e, "com.example.Shop$Api.one").state == FunctionState::kUninstrumented);
  CHECK(named(*e, "com.example.Shop$Api.two").state == FunctionState::kUninstrumented);
  CHECK(named(*e, "com.example.Shop$Api.three").state == FunctionState::kSkipped);
  CHECK(named(*e, "com.example.Shop$Point.<init>").state == FunctionState::kUninstrumented);
  CHECK(named(*e, "com.example.Shop$Kind$1.f").state == FunctionState::kUninstrumented);
  CHECK(named(*e, "com.example.Shop$Kind.f").state == FunctionState::kUninstrumented);
  CHECK(named(*e, "com.example.Shop.<init>$lambda$14").kind == "lambda");
  CHECK(named(*e, "com.example.Shop.<clinit>$lambda$15").kind == "lambda");
  CHECK(named(*e, "com.example.Shop$Cart.add$lambda$18").parent >= 0);
  const FunctionInfo& inner = named(*e, "com.example.Shop$Cart.add$lambda$18$lambda$19");
  CHECK(e->functions[inner.parent].qualified_name == "com.example.Shop$Cart.add$lambda$18");
  CHECK(named(*e, "com.example.Shop$Cart.add$lambda$21").reason ==
        "expression lambda (only block bodies carry a span)");
  CHECK(named(*e, "com.example.Shop$Cart$1.toString").state == FunctionState::kUninstrumented);
  CHECK(named(*e, "com.example.Shop$Cart$1Local.run").state == FunctionState::kUninstrumented);
  CHECK(named(*e, "com.example.Shop.empty").reason == "empty body");
  // Initialisers are code, not functions.
  for (const FunctionInfo& f : e->functions) CHECK(f.name != "<clinit>");
}

TEST_CASE("java: constructors keep this(...)/super(...) first; lambdas name their spans apart") {
  TextResult once = run(kShop, Action::kInstrument);
  REQUIRE_MESSAGE(once.outcome.status != FileOutcome::Status::kError, once.outcome.message);
  CHECK(once.output.find("Shop() { this(3); telinject.Telinject.Span _telinject_span = "
                         "telinject.Telinject.span(\"com.example.Shop.<init>\", "
                         "\"com/example/Shop.java\", 5); try { System.out") != std::string::npos);
  CHECK(once.output.find("_telinject_span2 = telinject.Telinject.span(\"com.example.Shop$Cart."
                         "add$lambda$18$lambda$19\"") != std::string::npos);
  // Lines do not move.
  CHECK(std::count(once.output.begin(), once.output.end(), '\n') ==
        std::count(kShop, kShop + std::strlen(kShop), '\n'));
  TextResult twice = run(once.output, Action::kInstrument);
  CHECK(twice.output == once.output);
  TextResult back = run(once.output, Action::kRemove);
  CHECK(back.output == kShop);
}

TEST_CASE("java: opt-out comments, hand-edited telemetry and syntax errors") {
  auto e = extract(R"(package p;
class A {
  // telinject: ignore
  void skipped() { work(); }
  void kept() { work(); } // telinject: ignore
  void broken() { work( }
  void edited() { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("p.A.edited", "p/A.java", 7); work(); }
}
)");
  CHECK(named(*e, "p.A.skipped").state == FunctionState::kOptedOut);
  CHECK(named(*e, "p.A.kept").state == FunctionState::kOptedOut);
  CHECK(named(*e, "p.A.broken").state == FunctionState::kSkipped);
  CHECK(named(*e, "p.A.edited").reason.find("edited by hand") != std::string::npos);
  auto file = extract("// telinject: ignore-file\npackage p;\nclass B { void f() { g(); } }\n");
  CHECK(file->functions.at(0).state == FunctionState::kOptedOut);
}

TEST_CASE("java: the package declaration, read without a parse") {
  CHECK(java::declared_package("package com.example;\n") == "com.example");
  CHECK(java::declared_package("/* x */ // y\n@Deprecated(\"a(b)\")\npackage a . b /* c */;") ==
        "a.b");
  CHECK(java::declared_package("import java.util.List;\nclass A {}") == "");
  CHECK(java::declared_package("packagex;") == "");
  CHECK(java::declared_package("\xEF\xBB\xBFpackage q;") == "q");
}

TEST_CASE("java: the helper goes to the source root, wherever telinject was started") {
  TempDir root;
  root.write("src/main/java/com/example/Shop.java", "package com.example;\nclass Shop {}\n");
  root.write("Loose.java", "class Loose {}\n");
  root.write("odd/Place.java", "package not.here;\nclass Place {}\n");
  auto helper = [](const FileLocation& at) {
    return java_language().runtime(at).at(0).relative_path.generic_string();
  };
  CHECK(helper({root.path(), "src/main/java/com/example/Shop.java"}) ==
        "src/main/java/telinject/Telinject.java");
  CHECK(helper({root.path() / "src/main/java/com", "example/Shop.java"}) ==
        "../telinject/Telinject.java");
  CHECK(helper({root.path() / "src/main/java/com/example", "Shop.java"}) ==
        "../../telinject/Telinject.java");
  CHECK(helper({root.path(), "Loose.java"}) == "telinject/Telinject.java");
  CHECK(helper({root.path(), "odd/Place.java"}) == "odd/telinject/Telinject.java");
  // The helper names itself: it is recognised as the helper, not instrumented.
  root.write("src/main/java/telinject/Telinject.java",
             std::string(java_language().runtime({root.path(), "Loose.java"}).at(0).content));
  CHECK(helper({root.path(), "src/main/java/telinject/Telinject.java"}) ==
        "src/main/java/telinject/Telinject.java");
}

TEST_CASE("java: {file} is the path below the source root, the same from any root") {
  const std::string text = "package com.example;\nclass Shop { void f() { g(); } }\n";
  TextResult a = run(text, Action::kInstrument, "src/main/java/com/example/Shop.java");
  TextResult b = run(text, Action::kInstrument, "com/example/Shop.java");
  CHECK(a.output == b.output);
  CHECK(a.output.find("\"com/example/Shop.java\", 2)") != std::string::npos);
}
