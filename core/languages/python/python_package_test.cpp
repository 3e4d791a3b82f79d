#include "python/python_package.h"

#include <doctest/doctest.h>

#include <fstream>
#include <random>

namespace fs = std::filesystem;
using telinject::FileLocation;
using telinject::python::locate_module;

namespace {

struct TempTree {
  fs::path root;
  TempTree() {
    root = fs::temp_directory_path() / ("telinject-pkg-" + std::to_string(std::random_device{}()));
    fs::create_directories(root);
  }
  ~TempTree() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  void write(const std::string& relative, const std::string& text = "") {
    fs::create_directories((root / relative).parent_path());
    std::ofstream(root / relative) << text;
  }
};

}  // namespace

TEST_SUITE("python package") {
  TEST_CASE("the name and the helper do not depend on the root given") {
    TempTree tree;
    tree.write("src/shop/__init__.py");
    tree.write("src/shop/sub/__init__.py");
    tree.write("src/shop/sub/deep.py");
    const fs::path repo = tree.root;
    for (const FileLocation& at : {FileLocation(repo, "src/shop/sub/deep.py"),
                                   FileLocation(repo / "src", "shop/sub/deep.py"),
                                   FileLocation(repo / "src/shop", "sub/deep.py"),
                                   FileLocation(repo / "src/shop/sub", "deep.py")}) {
      auto found = locate_module(at);
      CHECK(found.module == "shop.sub.deep");
      CHECK(found.top_package == "shop");
      CHECK(found.helper_module == "shop.telinject_runtime");
      CHECK((at.root / found.helper_path).lexically_normal() ==
            repo / "src/shop/telinject_runtime.py");
    }
    CHECK(locate_module({repo, "src/shop/__init__.py"}).module == "shop");
    CHECK(locate_module({repo, "src/shop/sub/__init__.py"}).module == "shop.sub");
  }

  TEST_CASE("a module outside any package has the helper beside it") {
    TempTree tree;
    tree.write("scripts/tool.py");
    auto found = locate_module({tree.root, "scripts/tool.py"});
    CHECK(found.module == "tool");
    CHECK(found.top_package.empty());
    CHECK(found.helper_module == "telinject_runtime");
    CHECK(found.helper_path == fs::path("scripts/telinject_runtime.py"));
  }

  TEST_CASE("namespace packages count below a source root declared as ruff's src") {
    TempTree tree;
    tree.write("pyproject.toml",
               "[project]\nname = \"x\"\n\n[tool.ruff]\nsrc = [\"src\", \"tests\"]\n");
    tree.write("src/ns/pkg/__init__.py");
    tree.write("src/ns/pkg/mod.py");
    tree.write("src/ns/loose.py");
    tree.write("tests/test_mod.py");
    auto in_package = locate_module({tree.root / "src/ns", "pkg/mod.py"});
    CHECK(in_package.module == "ns.pkg.mod");
    CHECK(in_package.helper_module == "ns.pkg.telinject_runtime");
    CHECK(in_package.helper_path == fs::path("pkg/telinject_runtime.py"));
    auto loose = locate_module({tree.root, "src/ns/loose.py"});
    CHECK(loose.module == "ns.loose");
    CHECK(loose.helper_module == "telinject_runtime");
    CHECK(locate_module({tree.root, "tests/test_mod.py"}).module == "test_mod");

    // Without the declaration the namespace folder is not part of the name.
    tree.write("pyproject.toml", "[project]\nname = \"x\"\n");
    fs::last_write_time(
        tree.root / "pyproject.toml",
        fs::last_write_time(tree.root / "pyproject.toml") + std::chrono::seconds(2));
    CHECK(locate_module({tree.root, "src/ns/pkg/mod.py"}).module == "pkg.mod");
  }

  TEST_CASE("without a root nothing is read: the relative path is the import path") {
    auto found = locate_module(FileLocation("pkg/sub/mod.py"));
    CHECK(found.module == "pkg.sub.mod");
    CHECK(found.helper_module == "pkg.telinject_runtime");
    CHECK(locate_module(FileLocation("m.py")).helper_module == "telinject_runtime");
    CHECK(locate_module(FileLocation("pkg/__init__.py")).module == "pkg");
  }
}
