#include "lsp_lifecycle.h"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace telinject::lsp;
using nlohmann::json;

namespace {

// Trimmed from what VS Code sends.
const char* const kInitialize = R"({
  "processId": 4242,
  "clientInfo": {"name": "Visual Studio Code", "version": "1.90.0"},
  "rootUri": "file:///work/project",
  "initializationOptions": {"templates": ["python"]},
  "capabilities": {
    "general": {"positionEncodings": ["utf-8", "utf-16"]},
    "window": {"workDoneProgress": true},
    "workspace": {"applyEdit": true, "configuration": true,
                  "workspaceEdit": {"documentChanges": true,
                                    "resourceOperations": ["create", "rename", "delete"]}},
    "textDocument": {"codeAction": {
      "codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix"]}},
      "resolveSupport": {"properties": ["edit"]}}}
  },
  "trace": "off",
  "workspaceFolders": [{"uri": "file:///work/project", "name": "project"}]
})";

}  // namespace

TEST_SUITE("lsp_lifecycle") {
  TEST_CASE("initialize params from a real client") {
    InitializeParams params = json::parse(kInitialize).get<InitializeParams>();
    CHECK(params.process_id == 4242);
    CHECK(params.root_uri == "file:///work/project");
    REQUIRE(params.workspace_folders.has_value());
    CHECK(params.workspace_folders->at(0).name == "project");
    CHECK(params.initialization_options == json{{"templates", {"python"}}});
    CHECK(params.client_info->name == "Visual Studio Code");
    CHECK(params.trace == "off");

    const ClientCapabilities& capabilities = params.capabilities;
    CHECK(capabilities.position_encodings() == std::vector<std::string>{"utf-8", "utf-16"});
    CHECK(capabilities.code_action_resolve_properties() == std::vector<std::string>{"edit"});
    CHECK(capabilities.code_action_literal_support());
    CHECK(capabilities.work_done_progress());
    CHECK(capabilities.workspace_configuration());
    CHECK(capabilities.workspace_apply_edit());
    CHECK(capabilities.workspace_edit_document_changes());
    CHECK(capabilities.workspace_edit_resource_operation("create"));
    CHECK_FALSE(capabilities.workspace_edit_resource_operation("move"));
  }

  TEST_CASE("a bare initialize reads as no capabilities at all") {
    InitializeParams params = json::object().get<InitializeParams>();
    CHECK_FALSE(params.process_id.has_value());
    CHECK_FALSE(params.root_uri.has_value());
    CHECK(params.capabilities.raw == json::object());
    CHECK(params.capabilities.position_encodings().empty());
    CHECK_FALSE(params.capabilities.work_done_progress());
    CHECK_FALSE(params.capabilities.workspace_apply_edit());
    CHECK_FALSE(params.capabilities.code_action_literal_support());
    json written = params;
    CHECK(written ==
          json{{"processId", nullptr}, {"rootUri", nullptr}, {"capabilities", json::object()}});
    CHECK_FALSE(json{{"processId", nullptr}}.get<InitializeParams>().process_id.has_value());
  }

  TEST_CASE("capability accessors survive odd shapes") {
    ClientCapabilities capabilities;
    capabilities.raw = json::parse(R"({
      "general": {"positionEncodings": ["utf-32", 16, null]},
      "window": {"workDoneProgress": "yes"},
      "workspace": [1, 2],
      "textDocument": {"codeAction": {"resolveSupport": true, "codeActionLiteralSupport": true}}
    })");
    CHECK(capabilities.position_encodings() == std::vector<std::string>{"utf-32"});
    CHECK_FALSE(capabilities.work_done_progress());
    CHECK_FALSE(capabilities.workspace_configuration());
    CHECK(capabilities.code_action_resolve_properties().empty());
    CHECK_FALSE(capabilities.code_action_literal_support());
    capabilities.raw = nullptr;
    CHECK_FALSE(capabilities.workspace_apply_edit());
  }

  TEST_CASE("the initialize result announces our capabilities") {
    InitializeResult result;
    ServerCapabilities& capabilities = result.capabilities;
    capabilities.position_encoding = "utf-8";
    capabilities.text_document_sync = TextDocumentSyncOptions{
        true, TextDocumentSyncKind::kIncremental, std::nullopt, false, SaveOptions{false}};
    capabilities.hover_provider = true;
    capabilities.code_action_provider =
        CodeActionOptions{std::vector<std::string>{"quickfix", "source"}, true};
    capabilities.execute_command_provider = ExecuteCommandOptions{{"telinject.instrumentFile"}};
    capabilities.workspace =
        WorkspaceServerCapabilities{WorkspaceFoldersServerCapabilities{true, true}};
    result.server_info = ServerInfo{"telinject", "0.1.0"};
    json written = result;
    CHECK(written == json::parse(R"({
      "capabilities": {
        "positionEncoding": "utf-8",
        "textDocumentSync": {"openClose": true, "change": 2, "willSaveWaitUntil": false,
                             "save": {"includeText": false}},
        "hoverProvider": true,
        "codeActionProvider": {"codeActionKinds": ["quickfix", "source"], "resolveProvider": true},
        "executeCommandProvider": {"commands": ["telinject.instrumentFile"]},
        "workspace": {"workspaceFolders": {"supported": true, "changeNotifications": true}}
      },
      "serverInfo": {"name": "telinject", "version": "0.1.0"}})"));
    CHECK(json(written.get<InitializeResult>()) == written);
    CHECK(json(InitializeResult{}) == json{{"capabilities", json::object()}});
  }

  TEST_CASE("server capabilities accept the spec's shorthand forms") {
    ServerCapabilities capabilities = json::parse(R"({
      "textDocumentSync": 1,
      "hoverProvider": {"workDoneProgress": false},
      "codeActionProvider": true,
      "workspace": {"workspaceFolders": {"changeNotifications": "registration-id"}}
    })")
                                          .get<ServerCapabilities>();
    CHECK(capabilities.text_document_sync->change == TextDocumentSyncKind::kFull);
    CHECK(capabilities.hover_provider == true);
    REQUIRE(capabilities.code_action_provider.has_value());
    CHECK_FALSE(capabilities.code_action_provider->resolve_provider.has_value());
    CHECK(capabilities.workspace->workspace_folders->change_notifications == true);

    TextDocumentSyncOptions sync = json{{"save", true}}.get<TextDocumentSyncOptions>();
    CHECK(sync.save.has_value());
    CHECK_FALSE(json{{"save", false}}.get<TextDocumentSyncOptions>().save.has_value());
    CHECK_FALSE(json{{"codeActionProvider", false}}.get<ServerCapabilities>().code_action_provider);
    CHECK(json{{"hoverProvider", false}}.get<ServerCapabilities>().hover_provider == false);
  }

  TEST_CASE("progress values carry their kind") {
    WorkDoneProgressBegin begin{"Instrumenting", true, "0/3", 0};
    CHECK(json(begin) == json{{"kind", "begin"},
                              {"title", "Instrumenting"},
                              {"cancellable", true},
                              {"message", "0/3"},
                              {"percentage", 0}});
    WorkDoneProgressReport report{std::nullopt, "2/3", 66};
    CHECK(json(report) == json{{"kind", "report"}, {"message", "2/3"}, {"percentage", 66}});
    CHECK(json(WorkDoneProgressEnd{}) == json{{"kind", "end"}});

    CHECK(json(begin).get<WorkDoneProgressBegin>().percentage == 0);
    CHECK(json(report).get<WorkDoneProgressReport>().message == "2/3");
    CHECK_THROWS_AS(json(report).get<WorkDoneProgressBegin>(), std::invalid_argument);
    CHECK_THROWS_AS(json(begin).get<WorkDoneProgressEnd>(), std::invalid_argument);

    ProgressParams progress{"token-1", json(report)};
    CHECK(json(progress) == json{{"token", "token-1"}, {"value", json(report)}});
    CHECK(json(progress).get<ProgressParams>().token == "token-1");
    WorkDoneProgressCreateParams create{7};
    CHECK(json(create) == json{{"token", 7}});
    CHECK(json(create).get<WorkDoneProgressCreateParams>().token == 7);
  }

  TEST_CASE("cancel, trace, log and show message") {
    CHECK(json{{"id", "r-1"}}.get<CancelParams>().id == "r-1");
    CHECK(json{{"id", 3}}.get<CancelParams>().id == 3);
    CHECK_THROWS_AS(json::object().get<CancelParams>(), json::out_of_range);
    CHECK(json{{"value", "verbose"}}.get<SetTraceParams>().value == "verbose");
    CHECK(json(SetTraceParams{"off"}) == json{{"value", "off"}});

    LogMessageParams log{MessageType::kWarning, "slow parse"};
    CHECK(json(log) == json{{"type", 2}, {"message", "slow parse"}});
    CHECK(json(log).get<LogMessageParams>().type == MessageType::kWarning);
    ShowMessageParams show{MessageType::kError, "config invalid"};
    CHECK(json(show) == json{{"type", 1}, {"message", "config invalid"}});
    CHECK(json(show).get<ShowMessageParams>().message == "config invalid");
  }
}
