#include "lsp_types.h"

#include <doctest/doctest.h>

using namespace telinject::lsp;
using nlohmann::json;

TEST_SUITE("lsp_types") {
  TEST_CASE("positions and ranges use the spec's keys") {
    Range range{{1, 2}, {3, 4}};
    json expected = {{"start", {{"line", 1}, {"character", 2}}},
                     {"end", {{"line", 3}, {"character", 4}}}};
    CHECK(json(range) == expected);
    CHECK(expected.get<Range>() == range);
    CHECK(Position{1, 9} < Position{2, 0});
    CHECK(Position{2, 1} > Position{2, 0});
  }

  TEST_CASE("missing or mistyped required fields throw") {
    CHECK_THROWS_AS(json({{"line", 1}}).get<Position>(), json::out_of_range);
    CHECK_THROWS_AS(json({{"line", "1"}, {"character", 0}}).get<Position>(), std::invalid_argument);
    CHECK_THROWS_AS(json::array().get<Position>(), json::type_error);
    CHECK_THROWS_AS(json({{"uri", "u"}}).get<TextDocumentItem>(), json::out_of_range);
  }

  TEST_CASE("unknown fields are ignored") {
    json input = {{"uri", "file:///x"}, {"version", 3}, {"extra", {1, 2}}};
    VersionedTextDocumentIdentifier id = input.get<VersionedTextDocumentIdentifier>();
    CHECK(id.uri == "file:///x");
    CHECK(id.version == 3);
    CHECK(json(id) == json{{"uri", "file:///x"}, {"version", 3}});
  }

  TEST_CASE("an unknown version is written as null, not omitted") {
    OptionalVersionedTextDocumentIdentifier id{"file:///a", std::nullopt};
    CHECK(json(id) == json{{"uri", "file:///a"}, {"version", nullptr}});
    id.version = 7;
    CHECK(json(id)["version"] == 7);
    CHECK_FALSE(json{{"uri", "u"}, {"version", nullptr}}
                    .get<OptionalVersionedTextDocumentIdentifier>()
                    .version.has_value());
    CHECK_FALSE(json{{"uri", "u"}}.get<OptionalVersionedTextDocumentIdentifier>().version);
  }

  TEST_CASE("documents, positions and edits round-trip") {
    json item = {
        {"uri", "file:///a.py"}, {"languageId", "python"}, {"version", 2}, {"text", "x\n"}};
    TextDocumentItem parsed = item.get<TextDocumentItem>();
    CHECK(parsed.language_id == "python");
    CHECK(json(parsed) == item);

    json at = {{"textDocument", {{"uri", "file:///a.py"}}},
               {"position", {{"line", 0}, {"character", 1}}}};
    TextDocumentPositionParams position = at.get<TextDocumentPositionParams>();
    CHECK(position.position == Position{0, 1});
    CHECK(json(position) == at);

    TextEdit edit{{{0, 0}, {0, 1}}, "y"};
    CHECK(json(edit) == json{{"range", json(edit.range)}, {"newText", "y"}});
    CHECK(json(edit).get<TextEdit>() == edit);

    Location location{"file:///b", {{1, 1}, {1, 2}}};
    CHECK(json(location).get<Location>() == location);
  }

  TEST_CASE("commands omit absent arguments") {
    Command command{"Instrument", "telinject.instrument", std::nullopt};
    CHECK(json(command) == json{{"title", "Instrument"}, {"command", "telinject.instrument"}});
    command.arguments = std::vector<json>{"file:///a", 3};
    CHECK(json(command)["arguments"] == json{"file:///a", 3});
    Command parsed = json(command).get<Command>();
    REQUIRE(parsed.arguments.has_value());
    CHECK(parsed.arguments->size() == 2);
  }

  TEST_CASE("markup content") {
    MarkupContent markup{"markdown", "**bold**"};
    CHECK(json(markup) == json{{"kind", "markdown"}, {"value", "**bold**"}});
    CHECK(json(markup).get<MarkupContent>().value == "**bold**");
  }

  TEST_CASE("diagnostics write only the fields that are set") {
    Diagnostic minimal;
    minimal.range = {{0, 0}, {0, 3}};
    minimal.message = "not instrumented";
    CHECK(json(minimal) == json{{"range", json(minimal.range)}, {"message", "not instrumented"}});

    Diagnostic full = minimal;
    full.severity = DiagnosticSeverity::kInformation;
    full.code = "telinject.missing-span";
    full.source = "telinject";
    full.data = json{{"function", "f"}};
    full.related_information =
        std::vector<DiagnosticRelatedInformation>{{{"file:///t.py", {{4, 0}, {4, 1}}}, "template"}};
    json written = full;
    CHECK(written["severity"] == 3);
    CHECK(written["code"] == "telinject.missing-span");
    CHECK(written["source"] == "telinject");
    CHECK(written["data"] == json{{"function", "f"}});
    CHECK(written["relatedInformation"][0]["message"] == "template");

    Diagnostic parsed = written.get<Diagnostic>();
    CHECK(parsed.severity == DiagnosticSeverity::kInformation);
    CHECK(parsed.code == json("telinject.missing-span"));
    CHECK(parsed.data == json{{"function", "f"}});
    REQUIRE(parsed.related_information.has_value());
    CHECK(parsed.related_information->at(0).location.uri == "file:///t.py");
    CHECK(json(parsed) == written);
  }

  TEST_CASE("diagnostics from other tools: integer codes, nulls for optional fields") {
    json input = {{"range", json(Range{{1, 0}, {1, 1}})},
                  {"message", "E501"},
                  {"code", 501},
                  {"source", nullptr},
                  {"tags", {1}}};
    Diagnostic parsed = input.get<Diagnostic>();
    CHECK(parsed.code == json(501));
    CHECK_FALSE(parsed.source.has_value());
    CHECK_FALSE(parsed.severity.has_value());
    CHECK_FALSE(parsed.data.has_value());
  }

  TEST_CASE("integers must be integers that fit: no truncation, no wrap-around") {
    CHECK(json({{"line", 2147483647}, {"character", -2147483648ll}}).get<Position>().line ==
          2147483647);
    for (json bad : {json(1.5), json(1e300), json(2147483648ll), json(-2147483649ll),
                     json(18446744073709551615ull), json("1"), json(true), json(nullptr)}) {
      CAPTURE(bad);
      CHECK_THROWS(json({{"line", bad}, {"character", 0}}).get<Position>());
    }
    json severity = {
        {"range",
         {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", 0}, {"character", 0}}}}},
        {"message", "m"},
        {"severity", 2.5}};
    CHECK_THROWS(severity.get<Diagnostic>());
  }
}
