#include "go/go_module.h"

#include <doctest/doctest.h>

#include "disk_memo.h"
#include "test_support.h"

using namespace telinject;
using telinject::testing::TempDir;
using telinject::testing::write_text;
namespace fs = std::filesystem;

TEST_SUITE("go module") {
  TEST_CASE("a package's import path: module path and folder, whatever the root") {
    TempDir dir;
    write_text(dir / "go.mod", "module example.com/m\n\ngo 1.19\n");
    write_text(dir / "tool/go.mod", "module example.com/tool\n");
    CHECK(go::package_import_path({dir.path(), "root.go"}) == "example.com/m");
    CHECK(go::package_import_path({dir.path(), "internal/store/store.go"}) ==
          "example.com/m/internal/store");
    // Given a package folder, or the file's own folder, as the root.
    CHECK(go::package_import_path({dir / "internal", "store/store.go"}) ==
          "example.com/m/internal/store");
    CHECK(go::package_import_path({dir / "internal/store", "store.go"}) ==
          "example.com/m/internal/store");
    CHECK(go::package_import_path({dir.path(), "internal/../x/x.go"}) == "example.com/m/x");
    // A nested module is a module of its own.
    CHECK(go::package_import_path({dir.path(), "tool/cmd/run.go"}) == "example.com/tool/cmd");
    // Vendored packages are named by the path they are vendored for.
    CHECK(go::package_import_path({dir.path(), "vendor/github.com/a/b/b.go"}) == "github.com/a/b");
    // Text from a test: nothing is looked up.
    CHECK(go::package_import_path(FileLocation("internal/store/store.go")).empty());
  }

  TEST_CASE("the standard library: the folder below GOROOT/src") {
    TempDir dir;
    write_text(dir / "src/go.mod", "module std\n\ngo 1.19\n");
    write_text(dir / "src/cmd/go.mod", "module cmd\n\ngo 1.19\n");
    CHECK(go::package_import_path({dir / "src", "net/http/server.go"}) == "net/http");
    CHECK(go::package_import_path({dir / "src/net", "http/server.go"}) == "net/http");
    CHECK(go::package_import_path({dir / "src", "vendor/golang.org/x/net/dns/dnsmessage/m.go"}) ==
          "vendor/golang.org/x/net/dns/dnsmessage");
    CHECK(go::package_import_path({dir / "src", "cmd/cover/cover.go"}) == "cmd/cover");
  }

  TEST_CASE("names escape the last element's dots as the Go toolchain does") {
    TempDir dir;
    write_text(dir / "go.mod", "module example.com/m.dot\n");
    CHECK(go::symbol_package_path({dir.path(), "a.go"}) == "example.com/m%2edot");
    CHECK(go::symbol_package_path({dir.path(), "yaml.v2/y.go"}) == "example.com/m.dot/yaml%2ev2");
    CHECK(go::symbol_package_path({dir.path(), "a b/y.go"}) == "example.com/m.dot/a%20b");
    CHECK(go::symbol_package_path({dir.path(), "x/y.go"}) == "example.com/m.dot/x");
  }

  TEST_CASE("a run's memo reads each go.mod once; without one every call reads the disk") {
    TempDir dir;
    write_text(dir / "go.mod", "module example.com/before\n");
    DiskMemo memo;
    FileLocation remembered{dir.path(), "pkg/a.go", &memo};
    CHECK(go::package_import_path(remembered) == "example.com/before/pkg");
    write_text(dir / "go.mod", "module example.com/after\n");
    write_text(dir / "pkg/go.mod", "module example.com/nested\n");
    CHECK(go::package_import_path(remembered) == "example.com/before/pkg");
    CHECK(go::package_import_path({dir.path(), "pkg/b.go", &memo}) == "example.com/before/pkg");
    // A new run (a new memo, or none: the language server) sees the disk as it is now.
    DiskMemo next;
    CHECK(go::package_import_path({dir.path(), "pkg/a.go", &next}) == "example.com/nested");
    CHECK(go::package_import_path({dir.path(), "a.go"}) == "example.com/after");
  }
}
