#include "javascript/javascript_language.h"

#include <doctest/doctest.h>

#include "config.h"
#include "javascript/module_system.h"
#include "language_test_support.h"
#include "pipeline.h"
#include "syntax_tree.h"
#include "test_support.h"

using namespace telinject;
using telinject::testing::Extracted;
using telinject::testing::named;

namespace {

std::unique_ptr<Extracted> extract(const LanguageSupport& language, const std::string& text) {
  return testing::extract(language, text, "m");
}

TextResult run(const LanguageSupport& language, const std::string& text, Action action,
               FileLocation location = "m.js", Config config = {}) {
  return process_text(text, location, language, action, config, nullptr, nullptr);
}

}  // namespace

TEST_CASE("javascript: qualified names and kinds of every function form") {
  auto e = extract(javascript_language(), R"(function top() {
  function inner() { return 1; }
  return [1].map(x => x);
}
const arrow = async () => { await 1; };
const obj = { m() { return 1; }, p: function () { return 2; }, *g() { yield 1; } };
class A extends B {
  constructor() { super(); this.x = 1; }
  static async *s() { yield 1; }
  get v() { return 1; }
  #p() { return 1; }
  f = () => 1;
}
exports.e = function () { return 1; };
export default function () { return 1; }
)");
  CHECK(named(*e, "m.top").kind == "function");
  CHECK(named(*e, "m.top.inner").parent == 0);
  CHECK(named(*e, "m.top.map callback").kind == "function");
  CHECK(named(*e, "m.arrow").kind == "async_function");
  CHECK(named(*e, "m.obj.m").kind == "function");
  CHECK(named(*e, "m.obj.p").kind == "function");
  CHECK(named(*e, "m.obj.g").kind == "generator");
  CHECK(named(*e, "m.A.constructor").state == FunctionState::kUninstrumented);
  CHECK(named(*e, "m.A.s").kind == "async_generator");
  CHECK(named(*e, "m.A.v").kind == "function");
  CHECK(named(*e, "m.A.#p").kind == "function");
  CHECK(named(*e, "m.A.f").kind == "function");
  CHECK(named(*e, "m.exports.e").kind == "function");
  CHECK(named(*e, "m.default").kind == "function");
  const FunctionInfo& inner = named(*e, "m.top.inner");
  CHECK(inner.name_row == 1);
  CHECK(inner.name_column == 11);
}

TEST_CASE("javascript: states — opt-out, empty bodies, hand-edited telemetry, syntax errors") {
  auto e = extract(javascript_language(), R"(// telinject: ignore
function ignored() { return 1; }
function empty() {}
function kept() { return 2; }
function broken( { return 3; }
function edited() { const _telinject_span = _telinject.enter("m.edited", "function"); try { return 4; } finally { _telinject_span.exit(); } sneaky(); }
)");
  CHECK(named(*e, "m.ignored").state == FunctionState::kOptedOut);
  CHECK(named(*e, "m.empty").state == FunctionState::kSkipped);
  CHECK(named(*e, "m.kept").state == FunctionState::kUninstrumented);
  CHECK(named(*e, "m.edited").state == FunctionState::kSkipped);
  CHECK(named(*e, "m.edited").reason.find("edited by hand") != std::string::npos);
}

TEST_CASE("javascript: remove refuses telemetry whose footer was edited, leaving the file") {
  std::string text = "function f() { return 1; }\n";
  TextResult once = run(javascript_language(), text, Action::kInstrument);
  REQUIRE(once.outcome.status == FileOutcome::Status::kChanged);
  std::string edited = once.output;
  size_t at = edited.find("_telinject_span.exit();");
  REQUIRE(at != std::string::npos);
  edited.replace(at, 23, "_telinject_span.exit(); extra();");
  TextResult removed = run(javascript_language(), edited, Action::kRemove);
  CHECK(removed.outcome.status == FileOutcome::Status::kError);
  CHECK(removed.output == edited);
}

TEST_CASE("javascript: expression arrows round-trip, and differ from block arrows") {
  for (std::string text : {"const a = x => x + 1;\n", "const a = x => { return x + 1; };\n",
                           "const a = x => {return x + 1;};\n", "const a = () => ({ k: 1 });\n"}) {
    CAPTURE(text);
    TextResult once = run(javascript_language(), text, Action::kInstrument);
    REQUIRE(once.outcome.instrumented == 1);
    TextResult back = run(javascript_language(), once.output, Action::kRemove);
    CHECK(back.output == text);
  }
}

TEST_CASE("javascript: the import follows the module system and the file's depth") {
  testing::TempDir root;
  testing::write_text(root / "package.json", R"({"name": "x", "type": "module"})");
  testing::write_text(root / "legacy/package.json", R"({"type": "commonjs"})");
  CHECK(javascript::is_es_module({root.path(), "src/a.js"}));
  CHECK_FALSE(javascript::is_es_module({root.path(), "legacy/lib/b.js"}));
  CHECK(javascript::is_es_module({root.path(), "legacy/c.mjs"}));
  CHECK_FALSE(javascript::is_es_module({root.path(), "src/d.cjs"}));
  CHECK_FALSE(javascript::is_es_module(FileLocation("e.js")));  // no root: nothing read
  CHECK(javascript::helper_specifier({root.path(), "a.js"}, "h.cjs") == "./h.cjs");
  CHECK(javascript::helper_specifier({root.path(), "x/y/a.js"}, "h.cjs") == "../../h.cjs");
  CHECK(javascript::package_type("{\"type\": \"module\"}") == "module");
  CHECK(javascript::package_type("not json") == "");

  std::string code = "function f() { return 1; }\n";
  auto first_line = [](const std::string& text) { return text.substr(0, text.find('\n')); };
  // On the first statement's line: no line moves.
  auto import_of = [&](const LanguageSupport& language, FileLocation where) {
    std::string line = first_line(run(language, code, Action::kInstrument, where).output);
    return line.substr(0, line.find("; function") + 1);
  };
  CHECK(import_of(javascript_language(), {root.path(), "src/a.js"}) ==
        "import * as _telinject from \"../telinject_runtime.mjs\";");
  CHECK(import_of(javascript_language(), {root.path(), "legacy/b.js"}) ==
        "const _telinject = require(\"../telinject_runtime.cjs\");");
  CHECK(import_of(typescript_language(), {root.path(), "legacy/t.ts"}) ==
        "import * as _telinject from \"../telinject_runtime.cjs\";");
  CHECK(import_of(typescript_language(), {root.path(), "t.mts"}) ==
        "import * as _telinject from \"./telinject_runtime.mjs\";");
}

TEST_CASE("javascript: a file that moved still has its import recognised and removed") {
  testing::TempDir root;
  std::string code = "function f() { return 1; }\n";
  TextResult deep =
      run(javascript_language(), code, Action::kInstrument, {root.path(), "a/b/m.js"});
  REQUIRE(deep.output.find("../../telinject_runtime.cjs") != std::string::npos);
  TextResult back = run(javascript_language(), deep.output, Action::kRemove, {root.path(), "m.js"});
  CHECK(back.output == code);
}

TEST_CASE("javascript: derived constructors keep super() at the root, before the telemetry") {
  std::string code =
      "class A extends B {\n  constructor(x) {\n    const y = x + 1;\n    super(y);\n    this.y = "
      "y;\n  }\n}\n";
  TextResult once = run(typescript_language(), code, Action::kInstrument, "m.ts");
  CHECK(once.output.find("    super(y);\n    const _telinject_span") != std::string::npos);
  CHECK(once.output.find("    const y = x + 1;\n") != std::string::npos);
  // A class that only implements an interface is not derived: the whole body is wrapped.
  std::string implements = "class A implements I {\n  constructor() {\n    this.x = 1;\n  }\n}\n";
  TextResult wrapped = run(typescript_language(), implements, Action::kInstrument, "m.ts");
  CHECK(wrapped.output.find("constructor() { const _telinject_span") != std::string::npos);
}

TEST_CASE("javascript: checkers and registration") {
  const LanguageRegistry& registry = LanguageRegistry::instance();
  CHECK(registry.by_extension("a.mjs") == &javascript_language());
  CHECK(registry.by_extension("a.cts") == &typescript_language());
  CHECK(registry.by_extension("a.tsx") == &tsx_language());
  CHECK(registry.by_shebang("#!/usr/bin/env node") == &javascript_language());
  CHECK(javascript_language().checker_command("x.js") ==
        std::vector<std::string>{"node", "--check", "x.js"});
  CHECK(typescript_language().checker_command("x.ts").empty());
  CHECK(javascript_language().module_name("lib/router/index.js") == "lib/router/index");
  std::vector<RuntimeFile> helpers = javascript_language().runtime({});
  REQUIRE(helpers.size() == 4);
  CHECK(helpers[0].content.find("function enter(name, kind)") != std::string_view::npos);
}

TEST_CASE("javascript: user templates need a footer; python's keys are unchanged") {
  testing::TempDir root;
  testing::write_text(root / ".telinject.toml", R"([templates.mine.javascript]
import = "import * as t from \"{runtime}\"; // telinject"
require = "const t = require(\"{runtime}\"); // telinject"
header = "const s = t.begin({name}); try {"
footer = "} finally { s.end(); }"
runtime = true
)");
  auto config = load_config(root.path(), std::nullopt, {});
  REQUIRE_MESSAGE(config.ok(), config.error());
  const LanguageTemplate& mine = config->templates.at("mine").at("javascript");
  CHECK(mine.footer == "} finally { s.end(); }");
  CHECK(mine.require_line == "const t = require(\"{runtime}\"); // telinject");
  Config use = *config;
  use.profile = "mine";
  TextResult once =
      run(javascript_language(), "function f() { return 1; }\n", Action::kInstrument, "m.js", use);
  CHECK(once.output ==
        "const t = require(\"./telinject_runtime.cjs\"); "
        "function f() { const s = t.begin(\"m.f\"); try { return 1; } finally { s.end(); } }\n");
  CHECK(run(javascript_language(), once.output, Action::kRemove, "m.js", use).output ==
        "function f() { return 1; }\n");
  // An import written without `;` gets one: code follows it on its line.
  use.templates.at("mine").at("javascript").require_line = "const t = require(\"{runtime}\")";
  TextResult bare =
      run(javascript_language(), "function f() { return 1; }\n", Action::kInstrument, "m.js", use);
  CHECK(bare.output.rfind("const t = require(\"./telinject_runtime.cjs\"); function f() {", 0) ==
        0);
  CHECK(run(javascript_language(), bare.output, Action::kRemove, "m.js", use).output ==
        "function f() { return 1; }\n");

  testing::write_text(root / ".telinject.toml", R"([templates.mine.javascript]
import = "import t from \"x\""
header = "const s = t.begin({name}); try {"
)");
  auto missing = load_config(root.path(), std::nullopt, {});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().find("needs 'footer'") != std::string::npos);

  testing::write_text(root / ".telinject.toml", R"([templates.mine.typescript]
import = "import t from \"x\""
header = "var s = t.begin({name}); try {"
footer = "} finally { s.end(); }"
)");
  auto wrong = load_config(root.path(), std::nullopt, {});
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().find("`const` or `let` declaration followed by `try {`") !=
        std::string::npos);
}

TEST_CASE("javascript: nameless functions are named as V8 infers them, never by line") {
  auto e = extract(javascript_language(), R"(app.get('/users', (req, res) => { res.send(1); });
app.get('/items', function (req, res) { res.send(2); });
promise.then(() => { done(); }).catch(function () { fail(); });
new Promise((resolve) => { resolve(); });
function run(cb = () => { return 1; }) {
  [1].forEach(function () { one(); });
  (function () { two(); })();
  (function () { three(); })();
  handler ||= () => { return 4; };
}
const Button = () => <button onClick={() => { go(); }} />;
)");
  CHECK(named(*e, "m.app.get callback").start_row == 0);
  CHECK(named(*e, "m.app.get callback[2]").start_row == 1);
  CHECK(named(*e, "m.promise.then callback").start_row == 2);
  CHECK(named(*e, "m.catch callback").start_row == 2);
  CHECK(named(*e, "m.Promise callback").start_row == 3);
  CHECK(named(*e, "m.run.cb").start_row == 4);
  CHECK(named(*e, "m.run.forEach callback").start_row == 5);
  CHECK(named(*e, "m.run.<anonymous>").start_row == 6);
  CHECK(named(*e, "m.run.<anonymous>[2]").start_row == 7);
  CHECK(named(*e, "m.run.handler").start_row == 8);
  CHECK(named(*e, "m.Button.onClick").start_row == 10);
  for (const FunctionInfo& f : e->functions) CHECK(f.qualified_name.find('@') == std::string::npos);

  // Code moving above a function, or inside another function, leaves its name alone.
  auto moved = extract(javascript_language(),
                       "\n\nfunction other() { [2].map(x => x); }\n"
                       "app.get('/users', (req, res) => { res.send(1); });\n");
  CHECK(named(*moved, "m.app.get callback").start_row == 3);
}

TEST_CASE("javascript: every line keeps its number, the import included") {
  std::string code =
      "#!/usr/bin/env node\n// License\n'use strict';\n\nconst fs = require('fs');\nfunction f(a,\n"
      "  b) {\n  'use strict';\n\n  return a + b;\n}\nconst g = x => x * 2;\n";
  TextResult once = run(javascript_language(), code, Action::kInstrument);
  REQUIRE(once.outcome.instrumented == 2);
  CHECK(std::count(once.output.begin(), once.output.end(), '\n') ==
        std::count(code.begin(), code.end(), '\n'));
  CHECK(
      once.output.find("'use strict';\n\nconst _telinject = require(\"./telinject_runtime.cjs\"); "
                       "const fs = require('fs');\n") != std::string::npos);
  // After a directive, the telemetry goes in front of the first wrapped statement.
  CHECK(once.output.find("  'use strict';\n\n  const _telinject_span") != std::string::npos);
  CHECK(run(javascript_language(), once.output, Action::kRemove).output == code);
}

TEST_CASE("javascript: telemetry a formatter rewrote is recognised and removed by its shape") {
  // What prettier makes of instrumented code (single quotes, no semicolons, wrapped calls).
  std::string formatted = R"(import * as _telinject from './telinject_runtime.mjs'

export function add(a, b) {
  'use strict'

  const _telinject_span = _telinject.enter(
    'm.add',
    'function',
  )
  try {
    // the sum
    return a + b
  } catch (_telinject_error) {
    _telinject_span.fail(_telinject_error)
    throw _telinject_error
  } finally {
    _telinject_span.exit()
  }
}

export const pair = (x) => {
  /* telinject: expression body */ const _telinject_span = _telinject.enter('m.pair', 'function')
  try {
    return { x }
  } catch (_telinject_error) {
    _telinject_span.fail(_telinject_error)
    throw _telinject_error
  } finally {
    _telinject_span.exit()
  }
}
)";
  TextResult checked = run(javascript_language(), formatted, Action::kCheck, "m.mjs");
  CHECK(checked.outcome.already_instrumented == 2);
  TextResult again = run(javascript_language(), formatted, Action::kInstrument, "m.mjs");
  CHECK(again.outcome.instrumented == 0);
  CHECK(again.output == formatted);
  TextResult removed = run(javascript_language(), formatted, Action::kRemove, "m.mjs");
  REQUIRE_MESSAGE(removed.outcome.status == FileOutcome::Status::kChanged, removed.outcome.message);
  CHECK(removed.output == R"(
export function add(a, b) {
  'use strict'

    // the sum
    return a + b
}

export const pair = (x) => ({ x })
)");

  // Not the template's shape: left alone, and reported.
  std::string foreign = formatted;
  foreign.replace(foreign.find("throw _telinject_error\n"), 23, "throw new Error('x')\n");
  TextResult refused = run(javascript_language(), foreign, Action::kRemove, "m.mjs");
  CHECK(refused.outcome.status == FileOutcome::Status::kError);
  CHECK(refused.output == foreign);
}

TEST_CASE("javascript: an opt-out a formatter moved into the body still opts out") {
  auto e = extract(javascript_language(), R"(function moved() {
  // telinject: ignore
  return 1;
}
function outer() {
  // telinject: ignore
  function inner() { return 2; }
  return inner();
}
)");
  CHECK(named(*e, "m.moved").state == FunctionState::kOptedOut);
  CHECK(named(*e, "m.outer.inner").state == FunctionState::kOptedOut);
  CHECK(named(*e, "m.outer").state == FunctionState::kUninstrumented);
}
