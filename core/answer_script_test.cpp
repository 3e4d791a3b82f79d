#include "answer_script.h"

#include <doctest/doctest.h>

namespace telinject {
namespace {

LanguageTemplate my_template() {
  LanguageTemplate t;
  t.profile = "mytrace";
  t.import_line = "import mytracing as _mt  # telinject";
  t.header = "with _mt.traced({name}, kind={kind})";
  return t;
}

const char* kFunction = "def f(x):\n    y = x + 1\n    return y";

Result<void> check(const std::string& answer) {
  auto insertions = insertions_between(kFunction, answer);
  if (!insertions.ok()) return make_error(insertions.error());
  return check_telemetry_only(*insertions, my_template(), "m.f", "f", "function");
}

TEST_CASE("An instrumented answer becomes insertions that rebuild it exactly") {
  std::string answer =
      "def f(x):\n    with _mt.traced(\"m.f\", kind=\"function\"):\n        y = x + 1\n        "
      "return y\n";
  auto insertions = insertions_between(kFunction, answer);
  REQUIRE(insertions.ok());
  REQUIRE(insertions->size() == 2);
  CHECK((*insertions)[0] ==
        Insertion{1, 0, "    with _mt.traced(\"m.f\", kind=\"function\"):\n    "});
  CHECK((*insertions)[1] == Insertion{2, 0, "    "});
  InsertionScript script;
  script.insertions = *insertions;
  CHECK(*apply_to_function_text(script, kFunction) + "\n" == answer);
  CHECK(check(answer).ok());
}

TEST_CASE("Adversarial answers are refused with the reason") {
  SUBCASE("deletes code") {
    auto r = check("def f(x):\n    with _mt.traced(\"m.f\"):\n        return x + 1\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find("removes or alters original line 2") != std::string::npos);
  }
  SUBCASE("alters code") {
    auto r =
        check("def f(x):\n    with _mt.traced(\"m.f\"):\n        y = x + 2\n        return y\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find("removes or alters") != std::string::npos);
  }
  SUBCASE("adds an import") {
    auto r = check(
        "import os\ndef f(x):\n    with _mt.traced(\"m.f\"):\n        y = x + 1\n        return "
        "y\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find("adds an import ('import os')") != std::string::npos);
  }
  SUBCASE("adds an import inside the body") {
    auto r = check("def f(x):\n    from subprocess import run\n    y = x + 1\n    return y\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find("adds an import") != std::string::npos);
  }
  SUBCASE("calls os.system as a statement") {
    auto r =
        check("def f(x):\n    __import__('os').system('rm -rf /')\n    y = x + 1\n    return y\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find("not telemetry") != std::string::npos);
  }
  SUBCASE("hides a call inside the telemetry line") {
    auto r = check(
        "def f(x):\n    with _mt.traced(\"m.f\"), os.system(\"id\"):\n        y = x + 1\n        "
        "return y\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find("'os', which the telemetry template does not use") != std::string::npos);
  }
  SUBCASE("smuggles text in a string") {
    auto r = check(
        "def f(x):\n    with _mt.traced(\"m.f\" + \"x\"):\n        y = x + 1\n        return y\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find("outside the telemetry API") != std::string::npos);
  }
  SUBCASE("adds code after the function") {
    auto r = check("def f(x):\n    y = x + 1\n    return y\nprint('hi')\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().find("after the end of the function") != std::string::npos);
  }
}

TEST_CASE("Answers: JSON with the function's name; fences tolerated; other functions refused") {
  auto ok =
      code_from_answer("```json\n{\"function\": \"m.f\", \"code\": \"def f(): pass\"}\n```", "m.f");
  REQUIRE(ok.ok());
  CHECK(*ok == "def f(): pass");
  CHECK(code_from_answer("{\"function\": \"m.g\", \"code\": \"x\"}", "m.f")
            .error()
            .find("another function") != std::string::npos);
  CHECK_FALSE(code_from_answer("Sure! Here is the code: def f(): pass", "m.f").ok());
  CHECK_FALSE(code_from_answer("{\"function\": \"m.f\"}", "m.f").ok());
}

}  // namespace
}  // namespace telinject
