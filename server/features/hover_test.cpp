#include "features/hover.h"

#include <doctest/doctest.h>

#include "features/feature_test_support.h"

using namespace telinject::server;
namespace lsp = telinject::lsp;
using telinject::testing::TempDir;

namespace {

std::optional<lsp::Hover> hover_at(const DocumentSnapshot& document, int line, int character,
                                   const ServerSettings& settings) {
  return hover(document, lsp::Position{line, character}, settings, nullptr,
               telinject::protocol::PositionEncoding::kUtf16);
}

}  // namespace

TEST_SUITE("hover") {
  TEST_CASE("an uninstrumented function shows the function as it would be written") {
    TempDir dir;
    ServerSettings settings;
    auto document = testing::shapes_document(dir.path(), settings);
    auto h = hover_at(*document, 3, 5, settings);
    REQUIRE(h);
    CHECK(h->contents.value ==
          "**telinject** `shapes.area`: preview, script generated from the template  \n"
          "profile `builtin`\n\n"
          "```python\n"
          "def area(radius):\n"
          "    with _telinject.span(\"shapes.area\"):\n"
          "        return math.pi * radius ** 2\n"
          "```");
    REQUIRE(h->range);
    CHECK(h->range->start.line == 3);
    CHECK(h->range->end.character == 8);
    CHECK(document->text == testing::kShapes);  // a preview: the document is what it was
  }

  TEST_CASE("instrumented and opted-out functions say so; elsewhere nothing") {
    TempDir dir;
    ServerSettings settings;
    auto document =
        testing::instrumented(*testing::shapes_document(dir.path(), settings), settings);
    auto instrumented = hover_at(*document, 4, 6, settings);  // area, below the import now
    REQUIRE(instrumented);
    CHECK(instrumented->contents.value.find("`shapes.area`: instrumented") != std::string::npos);
    auto opted_out = hover_at(*document, 10, 9, settings);
    REQUIRE(opted_out);
    CHECK(opted_out->contents.value.find("opted out (telinject: ignore)") != std::string::npos);
    CHECK_FALSE(hover_at(*document, 0, 0, settings));
    CHECK_FALSE(hover_at(*document, 5, 6, settings));  // inside a body, not on a name
  }
}
