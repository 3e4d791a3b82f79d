#include "c_family/c_family_language.h"

#include <doctest/doctest.h>

#include "c_family/c_family_syntax.h"
#include "language_test_support.h"
#include "pipeline.h"
#include "syntax_tree.h"

using namespace telinject;
using telinject::testing::extract;
using telinject::testing::Extracted;
using telinject::testing::named;

namespace {

TextResult run(const LanguageSupport& language, const std::string& text, Action action,
               const char* path) {
  return process_text(text, path, language, action, Config{}, nullptr, nullptr);
}

}  // namespace

TEST_CASE("C++ names as stack traces print them, with kinds") {
  auto e = extract(cpp_language(),
                   "namespace ns { namespace {\nint h() { return 1; }\n}\n"
                   "struct A {\n  A() : x(1) { f(); }\n  ~A() { f(); }\n"
                   "  bool operator == (const A&) const { return true; }\n"
                   "  operator int*() { return nullptr; }\n  void f();\n  int x;\n};\n"
                   "void A::f() { auto l = [] { return 1; }; l(); }\n"
                   "template <class T> struct B { T g() { return T(); } };\n}\n"
                   "int ns::free_function() { return 0; }\n");
  CHECK(named(*e, "ns::(anonymous namespace)::h").kind == "function");
  CHECK(named(*e, "ns::A::A").kind == "constructor");
  CHECK(named(*e, "ns::A::~A").kind == "destructor");
  CHECK(named(*e, "ns::A::operator==").kind == "operator");
  CHECK(named(*e, "ns::A::operator int*").kind == "operator");
  CHECK(named(*e, "ns::A::f").kind == "method");
  const FunctionInfo& lambda = named(*e, "ns::A::f::{lambda#1}");
  CHECK(lambda.kind == "lambda");
  CHECK(e->functions[lambda.parent].qualified_name == "ns::A::f");
  CHECK(named(*e, "ns::B::g").kind == "method");
  CHECK(named(*e, "ns::free_function").state == FunctionState::kUninstrumented);
}

TEST_CASE("forms that cannot carry a span are skipped with a reason") {
  auto e = extract(cpp_language(),
                   "constexpr int c() { auto l = [] { return 1; }; return l(); }\n"
                   "consteval int d() { return 2; }\n"
                   "int t() try { return 1; } catch (...) { return 0; }\n"
                   "void empty() {}\n"
                   "task co() { co_return; }\n");
  CHECK(named(*e, "c").reason.find("constexpr") == 0);
  CHECK(named(*e, "c::{lambda#1}").reason == "inside a constexpr function");
  CHECK(named(*e, "d").state == FunctionState::kSkipped);
  CHECK(named(*e, "t").reason.find("function-try-block") == 0);
  CHECK(named(*e, "empty").reason == "empty body");
  CHECK(named(*e, "co").reason.find("coroutine") == 0);

  auto k = extract(c_language(), "int add(a, b) int a; int b; { return a + b; }\n");
  CHECK(named(*k, "add").reason.find("K&R") == 0);
}

TEST_CASE("instrument keeps every line, remove restores the bytes") {
  std::string input =
      "#include <stdio.h>\n\nint main(void)\n{\n  printf(\"hi\\n\");\n  return 0;\n}\n";
  TextResult out = run(c_language(), input, Action::kInstrument, "m.c");
  CHECK(out.output ==
        "#include <stdio.h>\n#include \"telinject.h\"\n#line 2\n\nint main(void)\n"
        "{ TELINJECT_SPAN(\"main\");\n  printf(\"hi\\n\");\n  return 0;\n}\n");
  CHECK(run(c_language(), out.output, Action::kRemove, "m.c").output == input);
}

TEST_CASE("telemetry moved by hand is neither removed nor added again") {
  std::string edited =
      "#include \"telinject.h\"\n#line 1\nint f(void) {\n  TELINJECT_SPAN(\"f\");\n  return "
      "1;\n}\n";
  auto e = extract(c_language(), edited);
  CHECK(named(*e, "f").state == FunctionState::kSkipped);
  CHECK(named(*e, "f").reason.find("edited by hand") != std::string::npos);
}

TEST_CASE("the helper header goes beside the file") {
  auto files = cpp_language().runtime(FileLocation("src/lib/a.cpp"));
  REQUIRE(files.size() == 1);
  CHECK(files[0].relative_path == std::filesystem::path("src/lib/telinject.h"));
  CHECK(files[0].content.find("TELINJECT_SPAN") != std::string_view::npos);
  CHECK(LanguageRegistry::instance().by_extension("x.h") == &cpp_language());
  CHECK(LanguageRegistry::instance().by_extension("x.c") == &c_language());
}

TEST_CASE("a class with an export macro is not taken for a function") {
  auto e = extract(cpp_language(), "namespace n {\nclass EXPORT_API Widget\n{\n  int x;\n};\n}\n");
  for (const FunctionInfo& f : e->functions) CHECK(f.qualified_name != "n::Widget");
}
