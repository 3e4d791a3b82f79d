// A cache entry for the script cache's tests (local store and remote layer).
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "script_cache.h"

namespace telinject::testing {

/// A template-shaped script for the Python function `name` of module "m" in `text`, with its
/// test.
inline CachedScript python_entry(const std::string& name, const std::string& text) {
  CachedScript e;
  e.script.key = make_script_key("python", "t", "m." + name, text, "");
  e.script.language = "python";
  e.script.function_name = name;
  e.script.qualified_name = "m." + name;
  e.script.profile = "builtin";
  e.script.insertions = {{1, 4, "with x():\n        "}};
  auto test = ScriptTest::make(e.script, text);
  REQUIRE(test.ok());
  e.test = *test;
  return e;
}

}  // namespace telinject::testing
