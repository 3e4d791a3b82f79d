#include "javascript/module_system.h"

#include <doctest/doctest.h>

#include "javascript/javascript_language.h"
#include "test_support.h"

using namespace telinject;
namespace fs = std::filesystem;

TEST_CASE("javascript: names and the helper go by the package root, whatever root was given") {
  testing::TempDir dir;
  const fs::path repo = dir / "repo";
  testing::write_text(repo / ".git/HEAD", "ref: refs/heads/main\n");
  testing::write_text(repo / "package.json", R"({"name": "app"})");
  testing::write_text(repo / "src/routes/users.js", "");
  testing::write_text(repo / "dist/esm/package.json", R"({"type": "module"})");
  testing::write_text(repo / "packages/api/package.json", R"({"name": "@app/api"})");
  const LanguageSupport& js = javascript_language();

  // The same file seen from the repository, from src, from its own folder.
  for (FileLocation where :
       {FileLocation(repo, "src/routes/users.js"), FileLocation(repo / "src", "routes/users.js"),
        FileLocation(repo / "src/routes", "users.js")}) {
    CAPTURE(where.root);
    CHECK(js.module_name(where) == "src/routes/users");
    CHECK(javascript::helper_specifier(where, "h.cjs") == "../../h.cjs");
    CHECK((where.root / javascript::helper_path(where, "h.cjs")).lexically_normal() ==
          (repo / "h.cjs").lexically_normal());
  }
  // A package.json without a name only sets the module system.
  CHECK(js.module_name({repo, "dist/esm/index.js"}) == "dist/esm/index");
  CHECK(javascript::is_es_module({repo, "dist/esm/index.js"}));
  CHECK(js.module_name({repo, "packages/api/lib/a.ts"}) == "lib/a");
  CHECK(javascript::helper_path({repo, "packages/api/lib/a.ts"}, "h.cjs") ==
        fs::path("packages/api/h.cjs"));
  // No package and no repository: the root given. No root: the path as given.
  testing::write_text(dir / "loose/x/y.js", "");
  CHECK(js.module_name({dir / "loose", "x/y.js"}) == "x/y");
  CHECK(js.module_name(FileLocation("a/b.js")) == "a/b");
  CHECK(javascript::helper_path(FileLocation("a/b.js"), "h.cjs") == fs::path("h.cjs"));
}

TEST_CASE("javascript: a package.json that appears or changes is seen (no stale cache)") {
  testing::TempDir dir;
  testing::write_text(dir / ".git/HEAD", "");
  testing::write_text(dir / "lib/pkg/a.js", "");
  const LanguageSupport& js = javascript_language();
  CHECK(js.module_name({dir.path(), "lib/pkg/a.js"}) == "lib/pkg/a");
  CHECK_FALSE(javascript::is_es_module({dir.path(), "lib/pkg/a.js"}));
  testing::write_text(dir / "lib/pkg/package.json", R"({"type": "module"})");
  CHECK(js.module_name({dir.path(), "lib/pkg/a.js"}) == "lib/pkg/a");
  CHECK(javascript::is_es_module({dir.path(), "lib/pkg/a.js"}));
  // Rewritten with a name (a longer file: a new size and time).
  testing::write_text(dir / "lib/pkg/package.json", R"({"name": "pkg", "type": "commonjs"})");
  fs::last_write_time(dir / "lib/pkg/package.json",
                      fs::last_write_time(dir / "lib/pkg/package.json") + std::chrono::seconds(2));
  CHECK(js.module_name({dir.path(), "lib/pkg/a.js"}) == "a");
  CHECK_FALSE(javascript::is_es_module({dir.path(), "lib/pkg/a.js"}));
  fs::remove(dir / "lib/pkg/package.json");
  CHECK(js.module_name({dir.path(), "lib/pkg/a.js"}) == "lib/pkg/a");
}
