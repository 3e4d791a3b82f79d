#include "rust/rust_language.h"

#include <doctest/doctest.h>

#include "language_test_support.h"
#include "pipeline.h"
#include "rust/rust_crate.h"
#include "rust/rust_syntax.h"
#include "syntax_tree.h"
#include "test_support.h"

using namespace telinject;
using telinject::testing::Extracted;
using telinject::testing::named;
using telinject::testing::TempDir;
using telinject::testing::write_text;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<Extracted> extract(const std::string& text, const FileLocation& at = "m.rs") {
  return testing::extract(rust_language(), text, rust_language().module_name(at), at);
}

TextResult run(const std::string& text, Action action, const FileLocation& location = "m.rs") {
  return process_text(text, location, rust_language(), action, Config{}, nullptr, nullptr);
}

}  // namespace

TEST_SUITE("rust") {
  TEST_CASE("names: items, impls, traits, inline modules, nested functions, closures") {
    auto e = extract(
        "fn free() {}\n"
        "impl<'a, T: Clone> Stack<'a, T> where T: Copy { fn push(&mut self) {} }\n"
        "impl<T> fmt::Display for Stack<'_, T> { fn fmt(&self) {} }\n"
        "impl Shape for &'static str { fn area(&self) {} }\n"
        "trait Shape { fn area(&self); fn describe(&self) { let f = || { 1 }; } }\n"
        "mod inner { pub async fn run() { fn helper() {} } }\n");
    CHECK(named(*e, "m::free").kind == "function");
    CHECK(named(*e, "m::Stack::push").kind == "method");
    CHECK(named(*e, "<m::Stack as fmt::Display>::fmt").kind == "method");
    CHECK(named(*e, "<&str as Shape>::area").name == "area");
    CHECK(named(*e, "m::Shape::describe").kind == "method");
    CHECK(named(*e, "m::Shape::describe::{{closure}}").parent == 4);
    CHECK(named(*e, "m::inner::run").kind == "async_function");
    CHECK(named(*e, "m::inner::run::helper").parent >= 0);
    // The declaration without a body is no function.
    CHECK(e->functions.size() == 8);
  }

  TEST_CASE("left alone: const fn, closures without a block, outside functions, in const fn") {
    auto e = extract(
        "const fn c() -> u32 { 1 }\n"
        "const fn d() -> u32 { let f = |x: u32| { x }; f(1) }\n"
        "fn g() { let h = |x: u32| x + 1; }\n"
        "static S: fn(u32) -> u32 = |x| { x };\n"
        "extern \"C\" { fn abs(x: i32) -> i32; }\n"
        "macro_rules! m { () => { fn made() {} }; }\n"
        "fn broken() { let x = (1 + ; }\n");
    CHECK(named(*e, "m::c").reason == "const fn (a span guard is not const)");
    CHECK(named(*e, "m::d::{{closure}}").reason == "closure inside a const fn");
    CHECK(named(*e, "m::g::{{closure}}").reason == "closure without a block body");
    CHECK(named(*e, "m::{{closure}}").state == FunctionState::kSkipped);
    CHECK(named(*e, "m::broken").reason == "syntax error inside the function");
    for (const FunctionInfo& f : e->functions) CHECK(f.name != "abs");
    for (const FunctionInfo& f : e->functions) CHECK(f.name != "made");
  }

  TEST_CASE("opt-out comments: on the row, above the attributes, the whole file") {
    auto e = extract(
        "// telinject: ignore\n#[inline]\n#[must_use]\nfn a() -> u32 { 1 }\n"
        "fn b() { // telinject: ignore\n let f = || { 1 }; }\n"
        "fn c() {}\n");
    CHECK(named(*e, "m::a").state == FunctionState::kOptedOut);
    CHECK(named(*e, "m::b").state == FunctionState::kOptedOut);
    CHECK(named(*e, "m::b::{{closure}}").state == FunctionState::kOptedOut);
    CHECK(named(*e, "m::c").state == FunctionState::kUninstrumented);
    auto all = extract("// telinject: ignore-file\nfn c() {}\n");
    CHECK(all->functions.front().state == FunctionState::kOptedOut);
  }

  TEST_CASE("instrument on the brace's row, idempotent, removed byte for byte") {
    std::string text =
        "fn f(x: u32) -> Option<u32> {\n    let y = x.checked_add(1)?;\n    Some(y)\n}\n";
    TextResult first = run(text, Action::kInstrument);
    CHECK(first.output ==
          "fn f(x: u32) -> Option<u32> { let _telinject_span = crate::telinject::span(\"m::f\", "
          "file!(), line!());\n    let y = x.checked_add(1)?;\n    Some(y)\n}\n");
    CHECK(run(first.output, Action::kInstrument).output == first.output);
    CHECK(run(first.output, Action::kRemove).output == text);
    TextResult checked = run(text, Action::kCheck);
    CHECK(checked.outcome.functions.size() == 1);
  }

  TEST_CASE("telemetry edited by hand is reported, neither doubled nor removed") {
    auto e = extract(
        "fn f() {\n    let _telinject_span = crate::telinject::span(\"m::f\", file!(), "
        "line!());\n}\n"
        "fn g() { println!(); let _telinject_span = crate::telinject::span(\"m::g\", file!(), "
        "line!()); }\n");
    CHECK(named(*e, "m::f").reason.find("edited by hand") != std::string::npos);
    CHECK(named(*e, "m::g").reason.find("edited by hand") != std::string::npos);
  }

  TEST_CASE("crate roots get `mod telinject;` on a last row of its own; remove takes it out") {
    std::string text = "//! Root.\nfn main() {\n    run();\n}";
    TextResult first = run(text, Action::kInstrument, "main.rs");
    CHECK(first.output.size() > text.size());
    CHECK(first.output.substr(first.output.size() - 15) == "\nmod telinject;");
    CHECK(run(first.output, Action::kRemove, "main.rs").output == text);
    // Not a root: nothing appended.
    CHECK(run(text, Action::kInstrument, "a.rs").output.find("mod telinject") == std::string::npos);
    // A user's own declaration is kept by remove.
    std::string own = "mod telinject;\nfn main() {}\n";
    TextResult kept = run(own, Action::kInstrument, "lib.rs");
    CHECK(kept.output.find("mod telinject;\nfn main()") == 0);
    CHECK(run(kept.output, Action::kRemove, "lib.rs").output == own);
  }

  TEST_CASE("#![no_std]: left alone with a reason; cfg_attr(no_std) is instrumented") {
    CHECK(rust::declares_no_std("//! x\n#![no_std]\n"));
    CHECK(rust::declares_no_std("#! [ no_std ]\n"));
    CHECK_FALSE(rust::declares_no_std("#![cfg_attr(not(feature = \"std\"), no_std)]\n"));
    auto e = extract("#![no_std]\nfn f() {}\n", "lib.rs");
    CHECK(e->functions.front().reason == "#![no_std] crate: the helper needs std");
  }

  TEST_CASE("crates on disk: names from Cargo.toml and the file's place, whatever the root") {
    TempDir dir;
    write_text(dir / "Cargo.toml", "[package]\nname = \"my-crate\"\nversion = \"0.1.0\"\n");
    write_text(dir / "src/lib.rs", "mod a;\n");
    write_text(dir / "src/main.rs", "fn main() {}\n");
    write_text(dir / "tool/Cargo.toml",
               "[package]\nname = \"tool\"\n[lib]\nname = \"tool_lib\"\npath = \"lib/root.rs\"\n");
    write_text(dir / "tool/lib/root.rs", "#![no_std]\n");
    const LanguageSupport& rust = rust_language();
    CHECK(rust.module_name({dir.path(), "src/lib.rs"}) == "my_crate");
    CHECK(rust.module_name({dir.path(), "src/a/b.rs"}) == "my_crate::a::b");
    CHECK(rust.module_name({dir.path(), "src/a/mod.rs"}) == "my_crate::a");
    CHECK(rust.module_name({dir / "src/a", "b.rs"}) == "my_crate::a::b");
    CHECK(rust.module_name({dir / "src", "main.rs"}) == "my_crate");
    CHECK(rust.module_name({dir.path(), "tool/lib/x.rs"}) == "tool_lib::x");
    auto root = rust::find_crate({dir.path(), "src/lib.rs"}, "mod a;\n");
    CHECK(root.is_root);
    CHECK(root.root_folder == "src");
    CHECK(rust::find_crate({dir / "src/a", "b.rs"}, "").root_folder == "..");
    CHECK(rust::find_crate({dir.path(), "tool/lib/x.rs"}, "").skip_reason.find("no_std") !=
          std::string::npos);
    CHECK(rust::find_crate({dir.path(), "tests/t.rs"}, "").skip_reason.find("tests/") == 0);
    CHECK(rust::find_crate({dir.path(), "src/bin/x.rs"}, "").skip_reason.find("src/bin/") == 0);
    CHECK(rust::find_crate({dir.path(), "build.rs"}, "").skip_reason.find("build script") == 0);
    CHECK(rust::find_crate({dir.path(), "target/debug/build/x/out/gen.rs"}, "").skip_reason ==
          "Cargo's build output (target/)");
    auto helpers = rust.runtime({dir.path(), "src/a/b.rs"});
    REQUIRE(helpers.size() == 1);
    CHECK(helpers.front().relative_path == fs::path("src/telinject.rs"));
    CHECK(rust.runtime({dir.path(), "tests/t.rs"}).empty());
  }

  TEST_CASE("a binary beside its library uses the library's helper (edition 2018 on)") {
    TempDir dir;
    write_text(dir / "Cargo.toml",
               "[package]\nname = \"my-app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    write_text(dir / "src/lib.rs", "pub fn f() {\n}\n");
    write_text(dir / "src/main.rs", "fn main() {\n}\n");
    CHECK(rust::find_crate({dir.path(), "src/lib.rs"}, "").declaration ==
          "#[doc(hidden)] pub mod telinject;");
    CHECK(rust::find_crate({dir.path(), "src/main.rs"}, "").declaration ==
          "use my_app::telinject;");
    std::string main = "fn main() {\n}\n";
    TextResult first = run(main, Action::kInstrument, {dir.path(), "src/main.rs"});
    CHECK(first.output ==
          "fn main() { let _telinject_span = crate::telinject::span(\"my_app::main\", file!(), "
          "line!());\n}\nuse my_app::telinject;\n");
    CHECK(run(first.output, Action::kRemove, {dir.path(), "src/main.rs"}).output == main);
    // Edition 2015 (Cargo's default) or a library a binary cannot link: a copy each.
    write_text(dir / "Cargo.toml", "[package]\nname = \"my-app\"\nversion = \"0.1.0\"\n");
    CHECK(rust::find_crate({dir.path(), "src/main.rs"}, "").declaration == "mod telinject;");
    write_text(dir / "Cargo.toml",
               "[package]\nname = \"my-app\"\nedition = \"2021\"\n[lib]\nproc-macro = true\n");
    CHECK(rust::find_crate({dir.path(), "src/lib.rs"}, "").declaration == "mod telinject;");
  }

  TEST_CASE("modules wait for a crate root that will declare the helper") {
    TempDir dir;
    write_text(dir / "Cargo.toml", "[package]\nname = \"only-mods\"\nedition = \"2021\"\n");
    write_text(dir / "src/lib.rs", "//! Only modules.\npub mod a;\npub use a::f;\n");
    std::string module = "pub fn f() {\n}\n";
    auto skipped = extract(module, {dir.path(), "src/a.rs"});
    CHECK(skipped->functions.front().reason.find("has no function to instrument") !=
          std::string::npos);
    write_text(dir / "src/lib.rs", "pub mod a;\nmod telinject;\n");
    CHECK(extract(module, {dir.path(), "src/a.rs"})->functions.front().state ==
          FunctionState::kUninstrumented);
    write_text(dir / "src/lib.rs", "pub mod a;\npub fn g() {\n}\n");
    CHECK(extract(module, {dir.path(), "src/a.rs"})->functions.front().state ==
          FunctionState::kUninstrumented);
  }

  TEST_CASE("simplified types") {
    CHECK(rust::simplified_type("Stack<'a, T>") == "Stack");
    CHECK(rust::simplified_type("&'a mut [T]") == "&mut [T]");
    CHECK(rust::simplified_type("Box<dyn Fn(u8) -> u8>") == "Box");
    CHECK(rust::simplified_type("Result<(), io::Error>") == "Result");
  }
}
