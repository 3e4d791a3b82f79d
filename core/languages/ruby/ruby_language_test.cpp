#include "ruby/ruby_language.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "language_test_support.h"
#include "pipeline.h"
#include "ruby/ruby_project.h"
#include "syntax_tree.h"

using namespace telinject;
using telinject::testing::Extracted;
using telinject::testing::named;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<Extracted> extract(const std::string& text) {
  return testing::extract(ruby_language(), text);
}

TextResult run(const std::string& text, Action action, const FileLocation& location = "m.rb") {
  return process_text(text, location, ruby_language(), action, Config{}, nullptr, nullptr);
}

std::string instrument(const std::string& text, const FileLocation& location = "m.rb") {
  auto result = run(text, Action::kInstrument, location);
  REQUIRE_MESSAGE(result.outcome.status != FileOutcome::Status::kError, result.outcome.message);
  return result.output;
}

size_t count_rows(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

}  // namespace

TEST_SUITE("ruby") {
  TEST_CASE("names: constant paths, singleton methods, class << self, nesting") {
    auto e = extract(
        "def top; 1; end\n"
        "module Shop\n"
        "  class Cart\n"
        "    def add(x) x end\n"
        "    def self.build = new\n"
        "    class << self\n"
        "      def load(s) s end\n"
        "    end\n"
        "  end\n"
        "  class Cart::Item; def name; 1; end; end\n"
        "  class ::Root; def r; 1; end; end\n"
        "end\n"
        "obj = Object.new\n"
        "def obj.single; 1; end\n"
        "def self.main_single; 1; end\n");
    CHECK(named(*e, "Object#top").name == "top");
    CHECK(named(*e, "Shop::Cart#add").start_row == 3);
    CHECK(named(*e, "Shop::Cart.build").state == FunctionState::kUninstrumented);
    CHECK(named(*e, "Shop::Cart.load").name_row == 6);
    named(*e, "Shop::Cart::Item#name");
    named(*e, "Root#r");
    named(*e, "obj.single");
    named(*e, "main.main_single");
    CHECK(e->functions.size() == 8);
  }

  TEST_CASE("nested def: parent is the enclosing method, owner its class") {
    auto e = extract("class A\n  def outer\n    def inner\n      1\n    end\n  end\nend\n");
    REQUIRE(e->functions.size() == 2);
    CHECK(e->functions[1].qualified_name == "A#inner");
    CHECK(e->functions[1].parent == 0);
  }

  TEST_CASE("left alone: empty bodies, anonymous splats, blocks, define_method, opt-outs") {
    auto e = extract(
        "def a; end\n"
        "def b\nend\n"
        "def c(*, **) = d(*, **)\n"
        "def e # telinject: ignore\n  1\nend\n"
        "# telinject: ignore\ndef f\n  def g; 1; end\nend\n"
        "define_method(:h) { 1 }\n"
        "l = lambda { |x| x }\n");
    REQUIRE(e->functions.size() == 6);
    CHECK(named(*e, "Object#a").state == FunctionState::kSkipped);
    CHECK(named(*e, "Object#b").reason == "empty body");
    CHECK(named(*e, "Object#c").state == FunctionState::kSkipped);
    CHECK(named(*e, "Object#e").state == FunctionState::kOptedOut);
    CHECK(named(*e, "Object#f").state == FunctionState::kOptedOut);
    CHECK(named(*e, "Object#g").state == FunctionState::kOptedOut);
  }

  TEST_CASE("a syntax error anywhere in the file leaves every method alone") {
    auto e = extract("def ok\n  1\nend\n\ndef broken(\n  2\nend\n");
    for (const FunctionInfo& f : e->functions) CHECK(f.state == FunctionState::kSkipped);
    CHECK(named(*e, "Object#ok").reason == "syntax error in the file");
  }

  TEST_CASE("a file-wide opt-out") {
    auto e = extract("# telinject: ignore-file\ndef a\n  1\nend\n");
    CHECK(e->functions.at(0).state == FunctionState::kOptedOut);
  }

  TEST_CASE("insertion keeps every row; second run changes nothing; remove restores bytes") {
    const std::string text =
        "# frozen_string_literal: true\n"
        "class A\n"
        "  def f(x) # note\n"
        "    x + 1\n"
        "  rescue ArgumentError\n"
        "    nil\n"
        "  end\n"
        "  def g = 2\n"
        "  def h; 3; end\n"
        "end\n";
    std::string out = instrument(text);
    CHECK(out ==
          "# frozen_string_literal: true\n"
          "require_relative \"telinject\"; class A\n"
          "  def f(x); Telinject.span(\"A#f\", \"m.rb\", 3) do # note\n"
          "    x + 1\n"
          "  rescue ArgumentError\n"
          "    nil\n"
          "  end end\n"
          "  def g = Telinject.span(\"A#g\", \"m.rb\", 8) { 2 }\n"
          "  def h; Telinject.span(\"A#h\", \"m.rb\", 9) do; 3; end end\n"
          "end\n");
    CHECK(count_rows(out) == count_rows(text));
    CHECK(instrument(out) == out);
    auto removed = run(out, Action::kRemove);
    CHECK(removed.output == text);
    auto checked = run(text, Action::kCheck);
    CHECK(checked.outcome.already_instrumented == 0);
  }

  TEST_CASE("telemetry edited by hand is reported, and remove refuses it") {
    std::string out = instrument("def f\n  1\nend\n");
    std::string edited = out;
    edited.replace(edited.find("end end"), 7, "end\nend");
    auto e = extract(edited);
    CHECK(e->functions.at(0).state == FunctionState::kSkipped);
    std::string inner = out;
    inner.replace(inner.find("  1\n"), 4, "  1\n  2\n");
    CHECK(extract(inner)->functions.at(0).state == FunctionState::kInstrumented);
  }

  TEST_CASE("names with #{ are written without interpolation") {
    std::string out = instrument("class A\n  def `(cmd)\n    cmd\n  end\nend\n");
    CHECK(out.find("Telinject.span(\"A#`\"") != std::string::npos);
  }

  TEST_CASE("helper placement: the project's lib/, found from the file's own place") {
    std::string pattern = (fs::temp_directory_path() / "telinject-ruby-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()));
    fs::path root = pattern;
    fs::create_directories(root / "gem/lib/gem/deep");
    std::ofstream(root / "gem/gem.gemspec") << "";
    fs::create_directories(root / "scripts");
    FileLocation deep(root, "gem/lib/gem/deep/x.rb");
    CHECK(ruby::helper_file(deep) == "gem/lib/telinject.rb");
    CHECK(ruby::helper_require_path(deep) == "../../telinject");
    CHECK(ruby::path_in_project(deep) == "lib/gem/deep/x.rb");
    // Started on the subfolder: the same helper, the same names and paths.
    FileLocation sub(root / "gem/lib", "gem/deep/x.rb");
    CHECK(ruby::helper_file(sub) == "telinject.rb");
    CHECK(ruby::helper_require_path(sub) == "../../telinject");
    CHECK(ruby::path_in_project(sub) == "lib/gem/deep/x.rb");
    // No Gemfile or gemspec: beside the file.
    FileLocation script(root, "scripts/run.rb");
    CHECK(ruby::helper_file(script) == "scripts/telinject.rb");
    CHECK(ruby::helper_require_path(script) == "telinject");
    fs::remove_all(root);
  }
}
