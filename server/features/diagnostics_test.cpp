#include "features/diagnostics.h"

#include <doctest/doctest.h>

#include "features/feature_test_support.h"
#include "features/functions.h"

using namespace telinject::server;
namespace lsp = telinject::lsp;
using telinject::testing::TempDir;

TEST_SUITE("diagnostics") {
  TEST_CASE("one per function without telemetry, on its name") {
    TempDir dir;
    ServerSettings settings;
    auto document = testing::shapes_document(dir.path(), settings);
    auto diagnostics =
        compute_diagnostics(*document, settings, telinject::protocol::PositionEncoding::kUtf16);
    REQUIRE(diagnostics.size() == 2);  // area and Shape.name; scale is opted out
    const lsp::Diagnostic& area = diagnostics[0];
    CHECK(area.range.start.line == 3);
    CHECK(area.range.start.character == 4);
    CHECK(area.range.end.character == 8);
    CHECK(area.code == "uninstrumented");
    CHECK(area.source == "telinject");
    CHECK(static_cast<int>(*area.severity) == 3);
    CHECK(area.message == "`shapes.area` has no telemetry");
    CHECK((*area.data)["function"] == "shapes.area");
  }

  TEST_CASE("the settings choose severity, and can turn them off") {
    TempDir dir;
    ServerSettings settings;
    settings.severity = 1;
    auto document = testing::shapes_document(dir.path(), settings);
    auto encoding = telinject::protocol::PositionEncoding::kUtf16;
    CHECK(static_cast<int>(*compute_diagnostics(*document, settings, encoding)[0].severity) == 1);
    settings.diagnostics = false;
    CHECK(compute_diagnostics(*document, settings, encoding).empty());
  }

  TEST_CASE("instrumented functions have none") {
    TempDir dir;
    ServerSettings settings;
    auto document =
        testing::instrumented(*testing::shapes_document(dir.path(), settings), settings);
    CHECK(compute_diagnostics(*document, settings, telinject::protocol::PositionEncoding::kUtf16)
              .empty());
  }

  TEST_CASE("the functions of a snapshot are extracted once and shared") {
    TempDir dir;
    ServerSettings settings;
    auto document = testing::shapes_document(dir.path(), settings);
    auto functions = document_functions(*document, settings);
    REQUIRE(functions.size() == 3);
    CHECK(functions[0].qualified_name == "shapes.area");
    auto extraction = document_extraction(*document, settings);
    CHECK(extraction == document_extraction(*document, settings));  // the memo's, not a new one
  }

  TEST_CASE("a language telinject does not know has no functions and no diagnostics") {
    TempDir dir;
    ServerSettings settings;
    auto document = make_snapshot(uri_from_path(dir / "notes.txt"), 1, "def f():\n  pass\n",
                                  dir.path(), {}, &settings);
    CHECK(document_functions(*document, settings).empty());
    CHECK(compute_diagnostics(*document, settings, telinject::protocol::PositionEncoding::kUtf16)
              .empty());
  }
}
