#include "python/python_language.h"

#include <doctest/doctest.h>

#include "language_test_support.h"
#include "pipeline.h"
#include "syntax_tree.h"

using namespace telinject;
using telinject::testing::Extracted;
using telinject::testing::named;

namespace {

std::unique_ptr<Extracted> extract(const std::string& text) {
  return testing::extract(python_language(), text, "m");
}

std::string instrument(const std::string& text, Config config = {}) {
  auto result =
      process_text(text, "m.py", python_language(), Action::kInstrument, config, nullptr, nullptr);
  REQUIRE_MESSAGE(result.outcome.status != FileOutcome::Status::kError, result.outcome.message);
  return result.output;
}

}  // namespace

TEST_SUITE("python") {
  TEST_CASE("the walk skips one-row subtrees but not what matters in them") {
    auto e = extract(
        "try:\n"
        "    from gettext import gettext as _\n"
        "except ImportError:\n"
        "    def _(s): return s\n"  // a def alone in a one-row block
        "if True:\n"
        "    class C: x = [i for i in range(3)]\n"
        "def gen():\n"
        "    x = (yield 1)\n"  // a yield in a one-row statement
        "    s = '''a\n"
        "b'''\n"
        "def plain():\n"
        "    return f(lambda: (yield))\n");  // a yield in a lambda is the lambda's
    REQUIRE(e->functions.size() == 3);
    CHECK(named(*e, "m._").kind == "function");
    CHECK(named(*e, "m.gen").kind == "generator");
    CHECK(named(*e, "m.gen").verbatim_rows == std::vector<uint32_t>{9});
    CHECK(named(*e, "m.plain").kind == "function");
  }

  TEST_CASE("qualified names follow __qualname__") {
    auto e = extract(
        "class A:\n"
        "    class B:\n"
        "        def m(self):\n"
        "            def inner():\n"
        "                return lambda: 1\n"
        "            return inner\n"
        "def top():\n"
        "    class Local:\n"
        "        def method(self):\n"
        "            return 2\n"
        "    return Local\n");
    CHECK(named(*e, "m.A.B.m").parent == -1);
    CHECK(named(*e, "m.A.B.m.<locals>.inner").parent == 0);
    CHECK(named(*e, "m.top.<locals>.Local.method").name == "method");
    CHECK(e->functions.size() == 4);
  }

  TEST_CASE("kinds: generators, coroutines, async generators") {
    auto e = extract(
        "def g():\n    yield 1\n"
        "def not_gen():\n    def inner():\n        yield 1\n    return inner\n"
        "def lam():\n    f = lambda: (yield)\n    return f\n"
        "async def co():\n    await x\n"
        "async def ag():\n    yield 1\n"
        "def yf():\n    yield from range(3)\n");
    CHECK(named(*e, "m.g").kind == "generator");
    CHECK(named(*e, "m.not_gen").kind == "function");
    CHECK(named(*e, "m.not_gen.<locals>.inner").kind == "generator");
    CHECK(named(*e, "m.lam").kind == "function");
    CHECK(named(*e, "m.co").kind == "async_function");
    CHECK(named(*e, "m.ag").kind == "async_generator");
    CHECK(named(*e, "m.yf").kind == "generator");
  }

  TEST_CASE("decorators belong to the function; overloads and stubs are skipped") {
    auto e = extract(
        "import typing\n"
        "@decorator\n@other(1)\ndef f():\n    return 1\n"
        "@typing.overload\ndef o(x: int) -> int: ...\n"
        "def stub():\n    pass\n"
        "def doc_only():\n    '''Doc.'''\n");
    const FunctionInfo& f = named(*e, "m.f");
    CHECK(f.start_row == 1);
    CHECK(f.name_row == 3);
    CHECK(named(*e, "m.o").state == FunctionState::kSkipped);
    CHECK(named(*e, "m.stub").reason == "empty body (stub)");
    CHECK(named(*e, "m.doc_only").state == FunctionState::kSkipped);
  }

  TEST_CASE("multi-line strings protect their rows") {
    auto e = extract("def f():\n    x = '''a\nb\n  c'''\n    return x\n");
    CHECK(named(*e, "m.f").verbatim_rows == std::vector<uint32_t>{2, 3});
    std::string out = instrument("def f():\n    x = '''a\nb\n  c'''\n    return x\n");
    CHECK(out.find("        x = '''a\nb\n  c'''\n        return x\n") != std::string::npos);
  }

  TEST_CASE("opt-out comments") {
    auto e = extract(
        "def a():\n    return 1\n"
        "# telinject: ignore\n"
        "def b():\n    return 2\n"
        "def c():  # telinject: ignore\n    return 3\n"
        "x = '# telinject: ignore'\n"
        "def d():\n    return 4\n");
    CHECK(named(*e, "m.a").state == FunctionState::kUninstrumented);
    CHECK(named(*e, "m.b").state == FunctionState::kOptedOut);
    CHECK(named(*e, "m.c").state == FunctionState::kOptedOut);
    CHECK(named(*e, "m.d").state == FunctionState::kUninstrumented);
    auto file = extract("# telinject: ignore-file\nimport os\ndef a():\n    return 1\n");
    CHECK(file->functions[0].state == FunctionState::kOptedOut);
  }

  TEST_CASE("profiles and user templates") {
    Config otel;
    otel.profile = "opentelemetry";
    std::string out = instrument("def f():\n    return 1\n", otel);
    CHECK(out ==
          "from opentelemetry import trace as _telinject_otel  # isort: skip\n"
          "def f():\n"
          "    with _telinject_otel.get_tracer(__name__).start_as_current_span(\"m.f\", "
          "attributes={\"code.function.name\": \"m.f\", \"code.file.path\": \"m.py\", "
          "\"code.line.number\": 1}):\n"
          "        return 1\n");
    // A second run on the grown file: g's line is still the one before telinject (3), and a
    // generator's span carries the same attributes.
    std::string grown = instrument(out + "def g():\n    return 2\ndef h():\n    yield 3\n", otel);
    CHECK(grown.find("start_as_current_span(\"m.g\", attributes={\"code.function.name\": "
                     "\"m.g\", \"code.file.path\": \"m.py\", \"code.line.number\": 3})") !=
          std::string::npos);
    CHECK(grown.find("start_span(\"m.h\", attributes={\"code.function.name\": \"m.h\", "
                     "\"code.file.path\": \"m.py\", \"code.line.number\": 5})") !=
          std::string::npos);
    Config user;
    user.profile = "mine";
    user.templates["mine"]["python"] = {"mine", "import tracing  # telinject",
                                        "with tracing.trace({name}, kind=\"{kind}\")", "", false};
    out = instrument("def f():\n    return 1\n", user);
    CHECK(out.find("    with tracing.trace(\"m.f\", kind=\"function\"):\n") != std::string::npos);
    // A template whose text does not parse is refused by validation, and nothing is written.
    user.templates["mine"]["python"].header = "with tracing.trace({name}, {kind!r})";
    auto refused = process_text("def f():\n    return 1\n", "m.py", python_language(),
                                Action::kInstrument, user, nullptr, nullptr);
    CHECK(refused.output == "def f():\n    return 1\n");
    CHECK(refused.outcome.functions.at(0).state == FunctionOutcome::State::kError);
    Config unknown;
    unknown.profile = "nope";
    auto result = process_text("def f():\n    return 1\n", "m.py", python_language(),
                               Action::kInstrument, unknown, nullptr, nullptr);
    CHECK(result.outcome.status == FileOutcome::Status::kError);
  }

  TEST_CASE("config filters") {
    Config config;
    config.exclude_functions = {"*._private*"};
    config.min_function_lines = 3;
    std::string out = instrument(
        "def _private_x():\n    a = 1\n    return a\n"
        "def short():\n    return 1\n"
        "def long_enough():\n    a = 1\n    return a\n",
        config);
    CHECK(out.find("span(\"m._private_x\")") == std::string::npos);
    CHECK(out.find("span(\"m.short\")") == std::string::npos);
    CHECK(out.find("span(\"m.long_enough\")") != std::string::npos);
  }

  TEST_CASE("telemetry altered by hand is not removed blindly") {
    std::string out = instrument("def f():\n    a = 1\n    return a\n");
    // Someone de-indented a line of the block: removal would change the code, so it refuses.
    std::string edited = out;
    edited.replace(edited.find("        return a"), 8, "    ");
    auto removed = process_text(edited, "m.py", python_language(), Action::kRemove, Config{},
                                nullptr, nullptr);
    CHECK(removed.outcome.status == FileOutcome::Status::kError);
    CHECK(removed.output == edited);
  }

  TEST_CASE("check lists uninstrumented functions only") {
    std::string out = instrument("def f():\n    return 1\n");
    auto check = process_text(out + "def g():\n    return 2\n", "m.py", python_language(),
                              Action::kCheck, Config{}, nullptr, nullptr);
    CHECK(check.outcome.uninstrumented == 1);
    CHECK(check.outcome.already_instrumented == 1);
  }
}
