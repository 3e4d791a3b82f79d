#include "features/code_actions.h"

#include <doctest/doctest.h>

#include "features/feature_test_support.h"

using namespace telinject::server;
namespace lsp = telinject::lsp;
using telinject::testing::TempDir;

namespace {

const auto kUtf16 = telinject::protocol::PositionEncoding::kUtf16;

lsp::CodeActionParams at_line(const DocumentSnapshot& document, int line) {
  lsp::CodeActionParams params;
  params.text_document.uri = document.uri;
  params.range = {{line, 0}, {line, 0}};
  return params;
}

std::vector<std::string> titles(const std::vector<OfferedAction>& actions) {
  std::vector<std::string> out;
  for (const auto& a : actions) out.push_back(a.action.title);
  return out;
}

}  // namespace

TEST_SUITE("code actions") {
  TEST_CASE("offered by where the cursor is, without edits, filtered by kind") {
    TempDir dir;
    ServerSettings settings;
    auto document = testing::shapes_document(dir.path(), settings);
    auto in_area = code_actions(*document, at_line(*document, 4), settings, kUtf16);
    CHECK(titles(in_area) == std::vector<std::string>{"Instrument function `shapes.area`",
                                                      "Instrument all functions in file"});
    CHECK_FALSE(in_area[0].action.edit);
    CHECK(in_area[0].data.function == "shapes.area");
    lsp::CodeActionParams only = at_line(*document, 4);
    only.context.only = std::vector<std::string>{"source.telinject"};
    CHECK(titles(code_actions(*document, only, settings, kUtf16)) ==
          std::vector<std::string>{"Instrument all functions in file"});
    auto done = testing::instrumented(*document, settings);
    CHECK(titles(code_actions(*done, at_line(*done, 5), settings, kUtf16)) ==
          std::vector<std::string>{"Remove telemetry from function `shapes.area`",
                                   "Remove telemetry from file"});
  }

  TEST_CASE("resolve fills in the edit for the version offered, and only for it") {
    TempDir dir;
    ServerSettings settings;
    auto document = testing::shapes_document(dir.path(), settings);
    OfferedAction fix = code_actions(*document, at_line(*document, 4), settings, kUtf16)[0];
    EditSupport plain;  // a client with neither documentChanges nor file creation
    auto resolved =
        resolve_code_action(fix.action, fix.data, *document, settings, nullptr, plain, kUtf16);
    REQUIRE(resolved.ok());
    REQUIRE(resolved->edit);
    REQUIRE(resolved->edit->changes);
    CHECK(resolved->edit->changes->at(document->uri).size() == 2);  // the import, the span
    // It cannot create the helper module: a command writes it after the edit.
    REQUIRE(resolved->command);
    CHECK(resolved->command->command == kWriteRuntimeCommand);

    lsp::CodeActionData stale = fix.data;
    stale.version = 0;
    auto refused =
        resolve_code_action(fix.action, stale, *document, settings, nullptr, plain, kUtf16);
    CHECK_FALSE(refused.ok());
  }
}
