#include "lsp_documents.h"

#include <doctest/doctest.h>

using namespace telinject::lsp;
using nlohmann::json;

TEST_SUITE("lsp_documents") {
  TEST_CASE("didChange carries ranged and full changes in order") {
    json input = json::parse(R"({
      "textDocument": {"uri": "file:///a.py", "version": 5},
      "contentChanges": [
        {"range": {"start": {"line": 0, "character": 1}, "end": {"line": 0, "character": 2}},
         "rangeLength": 1, "text": "Z"},
        {"text": "whole\n"}
      ]})");
    DidChangeTextDocumentParams params = input.get<DidChangeTextDocumentParams>();
    CHECK(params.text_document.version == 5);
    REQUIRE(params.content_changes.size() == 2);
    REQUIRE(params.content_changes[0].range.has_value());
    CHECK(params.content_changes[0].range->end == Position{0, 2});
    CHECK(params.content_changes[0].range_length == 1);
    CHECK(params.content_changes[0].text == "Z");
    CHECK_FALSE(params.content_changes[1].range.has_value());
    CHECK_FALSE(params.content_changes[1].range_length.has_value());
    CHECK(json(params) == input);
  }

  TEST_CASE("didOpen, didClose, didSave and willSave") {
    json open = {{"textDocument",
                  {{"uri", "file:///a"}, {"languageId", "python"}, {"version", 0}, {"text", ""}}}};
    CHECK(json(open.get<DidOpenTextDocumentParams>()) == open);

    json close = {{"textDocument", {{"uri", "file:///a"}}}};
    CHECK(close.get<DidCloseTextDocumentParams>().text_document.uri == "file:///a");
    CHECK(json(close.get<DidCloseTextDocumentParams>()) == close);

    DidSaveTextDocumentParams save = close.get<DidSaveTextDocumentParams>();
    CHECK_FALSE(save.text.has_value());
    CHECK(json(save) == close);
    json with_text = {{"textDocument", {{"uri", "file:///a"}}}, {"text", "x = 1\n"}};
    CHECK(with_text.get<DidSaveTextDocumentParams>().text == "x = 1\n");

    json will_save = {{"textDocument", {{"uri", "file:///a"}}}, {"reason", 2}};
    WillSaveTextDocumentParams parsed = will_save.get<WillSaveTextDocumentParams>();
    CHECK(parsed.reason == TextDocumentSaveReason::kAfterDelay);
    CHECK(json(parsed) == will_save);
    CHECK_THROWS_AS(close.get<WillSaveTextDocumentParams>(), json::out_of_range);
  }

  TEST_CASE("publishDiagnostics omits an unknown version") {
    PublishDiagnosticsParams params{"file:///a", std::nullopt, {}};
    CHECK(json(params) == json{{"uri", "file:///a"}, {"diagnostics", json::array()}});
    params.version = 4;
    CHECK(json(params)["version"] == 4);
    CHECK(json(params).get<PublishDiagnosticsParams>().version == 4);
  }

  TEST_CASE("the publishDiagnostics body written directly equals the generic one") {
    PublishDiagnosticsParams params{"file:///a%20b/\u00e9.py", std::nullopt, {}};
    auto generic = [](const PublishDiagnosticsParams& p) {
      return json{{"jsonrpc", "2.0"}, {"method", "textDocument/publishDiagnostics"}, {"params", p}};
    };
    CHECK(json::parse(publish_diagnostics_body(params)) == generic(params));
    params.version = 7;
    Diagnostic plain;
    plain.range = {{1, 2}, {3, 4}};
    plain.message = "quote \" backslash \\ newline \n tab \t";
    Diagnostic full = plain;
    full.severity = DiagnosticSeverity::kWarning;
    full.code = "uninstrumented";
    full.source = "telinject";
    full.data = json{{"function", "m.f"}, {"fix", "x"}, {"nested", {{"n", 1}, {"s", "\u00e9\""}}}};
    DiagnosticRelatedInformation related;
    related.location.uri = "file:///b";
    related.location.range = {{0, 0}, {0, 1}};
    related.message = "there";
    full.related_information = std::vector<DiagnosticRelatedInformation>{related};
    params.diagnostics = {plain, full, plain};
    CHECK(json::parse(publish_diagnostics_body(params)) == generic(params));
  }

  TEST_CASE("hover params and results") {
    json input = {{"textDocument", {{"uri", "file:///a"}}},
                  {"position", {{"line", 3}, {"character", 7}}},
                  {"workDoneToken", "w"}};
    HoverParams params = input.get<HoverParams>();
    CHECK(params.position == Position{3, 7});

    Hover hover{{"markdown", "`f` is instrumented"}, std::nullopt};
    CHECK(json(hover) ==
          json{{"contents", {{"kind", "markdown"}, {"value", "`f` is instrumented"}}}});
    hover.range = Range{{3, 4}, {3, 5}};
    CHECK(json(hover).get<Hover>().range == hover.range);
  }

  TEST_CASE("codeAction params with and without only") {
    json input = json::parse(R"({
      "textDocument": {"uri": "file:///a.py"},
      "range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}},
      "context": {"diagnostics": [{"range": {"start": {"line": 1, "character": 0},
                                             "end": {"line": 1, "character": 4}},
                                   "message": "m", "data": {"id": 3}}],
                  "triggerKind": 1}})");
    CodeActionParams params = input.get<CodeActionParams>();
    CHECK(params.text_document.uri == "file:///a.py");
    REQUIRE(params.context.diagnostics.size() == 1);
    CHECK(params.context.diagnostics[0].data == json{{"id", 3}});
    CHECK_FALSE(params.context.only.has_value());
    CHECK(params.context.trigger_kind == CodeActionTriggerKind::kInvoked);
    CHECK(json(params) == input);

    input["context"]["only"] = {"quickfix", "source"};
    CodeActionParams filtered = input.get<CodeActionParams>();
    CHECK(filtered.context.only == std::vector<std::string>{"quickfix", "source"});
  }

  TEST_CASE("code actions write what is set and read it back") {
    CodeAction action;
    action.title = "Add telemetry span";
    CHECK(json(action) == json{{"title", "Add telemetry span"}});

    action.kind = "quickfix";
    action.is_preferred = true;
    action.diagnostics = std::vector<Diagnostic>{};
    action.data = json{{"uri", "file:///a"}, {"function", "f"}};
    action.command = Command{"Refresh", "telinject.refresh", std::nullopt};
    WorkspaceEdit edit;
    edit.changes = std::map<std::string, std::vector<TextEdit>>{
        {"file:///a", {TextEdit{{{1, 0}, {1, 0}}, "    span()\n"}}}};
    action.edit = edit;
    json written = action;
    CHECK(written["kind"] == "quickfix");
    CHECK(written["isPreferred"] == true);
    CHECK(written["diagnostics"] == json::array());
    CHECK(written["command"]["command"] == "telinject.refresh");
    CHECK(written["edit"]["changes"]["file:///a"][0]["newText"] == "    span()\n");

    CodeAction parsed = written.get<CodeAction>();
    CHECK(parsed.title == action.title);
    CHECK(parsed.data == action.data);
    REQUIRE(parsed.edit.has_value());
    CHECK(parsed.edit->changes == edit.changes);
    CHECK(json(parsed) == written);
  }

  TEST_CASE("code action data round-trips and rejects what resolve could not use") {
    CodeActionData data{"file:///a.py", 7, CodeActionData::Verb::kRemove, "m.f"};
    json written = data;
    CHECK(written ==
          json{{"uri", "file:///a.py"}, {"version", 7}, {"action", "remove"}, {"function", "m.f"}});
    CodeActionData read = written.get<CodeActionData>();
    CHECK(read.uri == data.uri);
    CHECK(read.version == 7);
    CHECK(read.action == CodeActionData::Verb::kRemove);
    CHECK(read.function == data.function);

    auto rejects = [&](const char* key, json value) {
      json body = written;
      body[key] = std::move(value);
      CHECK_THROWS(body.get<CodeActionData>());
    };
    rejects("version", "7");
    rejects("version", nullptr);
    rejects("version", 7.5);
    rejects("version", 4294967296ll);
    rejects("action", 5);
    rejects("action", "rename");
    rejects("uri", 5);
    rejects("function", json::array());
    json no_function = written;
    no_function.erase("function");
    CHECK_FALSE(no_function.get<CodeActionData>().function.has_value());
    json params = {{"title", "t"}, {"data", written}};
    ResolveCodeActionParams resolve = params.get<ResolveCodeActionParams>();
    CHECK(resolve.action.title == "t");
    CHECK(resolve.data.version == 7);
    CHECK_THROWS(json({{"title", "t"}}).get<ResolveCodeActionParams>());
  }
}
