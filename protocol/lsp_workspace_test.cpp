#include "lsp_workspace.h"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace telinject::lsp;
using nlohmann::json;

TEST_SUITE("lsp_workspace") {
  TEST_CASE("documentChanges mix file creation and text edits, in order") {
    WorkspaceEdit edit;
    CreateFile create{"file:///pkg/_telemetry.py", CreateFileOptions{std::nullopt, true}};
    TextDocumentEdit fill{{"file:///pkg/_telemetry.py", std::nullopt},
                          {TextEdit{{{0, 0}, {0, 0}}, "import os\n"}}};
    TextDocumentEdit use{{"file:///pkg/a.py", 4}, {TextEdit{{{2, 0}, {2, 0}}, "x\n"}}};
    edit.document_changes = std::vector<DocumentChange>{create, fill, use};
    json written = edit;
    CHECK(written == json::parse(R"({"documentChanges": [
      {"kind": "create", "uri": "file:///pkg/_telemetry.py", "options": {"ignoreIfExists": true}},
      {"textDocument": {"uri": "file:///pkg/_telemetry.py", "version": null},
       "edits": [{"range": {"start": {"line": 0, "character": 0},
                            "end": {"line": 0, "character": 0}}, "newText": "import os\n"}]},
      {"textDocument": {"uri": "file:///pkg/a.py", "version": 4},
       "edits": [{"range": {"start": {"line": 2, "character": 0},
                            "end": {"line": 2, "character": 0}}, "newText": "x\n"}]}]})"));

    WorkspaceEdit parsed = written.get<WorkspaceEdit>();
    CHECK_FALSE(parsed.changes.has_value());
    REQUIRE(parsed.document_changes.has_value());
    REQUIRE(parsed.document_changes->size() == 3);
    REQUIRE(std::holds_alternative<CreateFile>((*parsed.document_changes)[0]));
    const CreateFile& created = std::get<CreateFile>((*parsed.document_changes)[0]);
    CHECK(created.options->ignore_if_exists == true);
    CHECK_FALSE(created.options->overwrite.has_value());
    REQUIRE(std::holds_alternative<TextDocumentEdit>((*parsed.document_changes)[2]));
    CHECK(std::get<TextDocumentEdit>((*parsed.document_changes)[2]).text_document.version == 4);
    CHECK(json(parsed) == written);
  }

  TEST_CASE("the changes map is keyed by uri") {
    json input = {{"changes",
                   {{"file:///a",
                     {{{"range",
                        {{"start", {{"line", 0}, {"character", 0}}},
                         {"end", {{"line", 0}, {"character", 1}}}}},
                       {"newText", ""}}}}}}};
    WorkspaceEdit edit = input.get<WorkspaceEdit>();
    REQUIRE(edit.changes.has_value());
    CHECK(edit.changes->at("file:///a").size() == 1);
    CHECK_FALSE(edit.document_changes.has_value());
    CHECK(json(edit) == input);
    CHECK(json(WorkspaceEdit{}) == json::object());
  }

  TEST_CASE("rename and delete operations are refused") {
    json rename = {{"documentChanges", {{{"kind", "rename"}, {"oldUri", "a"}, {"newUri", "b"}}}}};
    CHECK_THROWS_AS(rename.get<WorkspaceEdit>(), std::invalid_argument);
    CHECK_THROWS_AS(json({{"documentChanges", 3}}).get<WorkspaceEdit>(), std::invalid_argument);
  }

  TEST_CASE("create options round-trip with both flags") {
    CreateFile create{"file:///x", CreateFileOptions{true, false}};
    json written = create;
    CHECK(written["options"] == json{{"overwrite", true}, {"ignoreIfExists", false}});
    CreateFile parsed = written.get<CreateFile>();
    CHECK(parsed.options->overwrite == true);
    CHECK(parsed.options->ignore_if_exists == false);
    CHECK(json(CreateFile{"file:///y", std::nullopt}) ==
          json{{"kind", "create"}, {"uri", "file:///y"}});
  }

  TEST_CASE("executeCommand params") {
    json input = {{"command", "telinject.instrumentFile"}, {"arguments", {"file:///a.py"}}};
    ExecuteCommandParams params = input.get<ExecuteCommandParams>();
    CHECK(params.command == "telinject.instrumentFile");
    REQUIRE(params.arguments.has_value());
    CHECK(params.arguments->at(0) == "file:///a.py");
    CHECK(json(params) == input);
    CHECK_FALSE(json{{"command", "c"}}.get<ExecuteCommandParams>().arguments.has_value());
  }

  TEST_CASE("configuration requests and notifications") {
    ConfigurationParams request{{ConfigurationItem{"file:///root", "telinject"},
                                 ConfigurationItem{std::nullopt, std::nullopt}}};
    CHECK(json(request) ==
          json{{"items",
                {{{"scopeUri", "file:///root"}, {"section", "telinject"}}, json::object()}}});
    CHECK(json(request).get<ConfigurationParams>().items.at(0).section == "telinject");

    json changed = {{"settings", {{"telinject", {{"enabled", true}}}}}};
    CHECK(changed.get<DidChangeConfigurationParams>().settings["telinject"]["enabled"] == true);
    CHECK(json::object().get<DidChangeConfigurationParams>().settings.is_null());
  }

  TEST_CASE("watched file events") {
    json input = {{"changes",
                   {{{"uri", "file:///telinject.toml"}, {"type", 2}},
                    {{"uri", "file:///gone.py"}, {"type", 3}}}}};
    DidChangeWatchedFilesParams params = input.get<DidChangeWatchedFilesParams>();
    REQUIRE(params.changes.size() == 2);
    CHECK(params.changes[0].type == FileChangeType::kChanged);
    CHECK(params.changes[1].type == FileChangeType::kDeleted);
    CHECK(json(params) == input);
  }

  TEST_CASE("applyEdit params and result") {
    ApplyWorkspaceEditParams params{"Instrument file", WorkspaceEdit{}};
    CHECK(json(params) == json{{"label", "Instrument file"}, {"edit", json::object()}});
    CHECK_FALSE(json{{"edit", json::object()}}.get<ApplyWorkspaceEditParams>().label);

    ApplyWorkspaceEditResult applied = json{{"applied", true}}.get<ApplyWorkspaceEditResult>();
    CHECK(applied.applied);
    CHECK_FALSE(applied.failure_reason.has_value());
    json refused = {{"applied", false}, {"failureReason", "stale"}, {"failedChange", 1}};
    ApplyWorkspaceEditResult failed = refused.get<ApplyWorkspaceEditResult>();
    CHECK(failed.failure_reason == "stale");
    CHECK(failed.failed_change == 1);
    CHECK(json(failed) == refused);
  }

  TEST_CASE("workspace folders") {
    WorkspaceFolder folder = json{{"uri", "file:///w"}, {"name", "w"}}.get<WorkspaceFolder>();
    CHECK(folder.name == "w");
    CHECK(json(folder) == json{{"uri", "file:///w"}, {"name", "w"}});
  }
}
