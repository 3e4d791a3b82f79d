#include "dispatcher.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "lsp_documents.h"
#include "lsp_lifecycle.h"

using namespace telinject::protocol;
using namespace telinject;
using nlohmann::json;

namespace {

// Params that need an integer "x" (anything else is InvalidParams).
struct NeedsX {
  int x = 0;
};
void from_json(const json& j, NeedsX& value) { value.x = j.at("x").get<int>(); }

// A dispatcher whose output and warnings are collected for inspection.
struct Harness {
  std::mutex mutex;
  std::vector<json> sent;
  std::vector<std::string> warnings;
  Dispatcher dispatcher{[this](std::string body) {
                          std::lock_guard<std::mutex> lock(mutex);
                          sent.push_back(json::parse(body));
                        },
                        [this](std::string_view warning) {
                          std::lock_guard<std::mutex> lock(mutex);
                          warnings.emplace_back(warning);
                        }};

  void receive(const json& message) { dispatcher.dispatch(message.dump()); }
  json request(const json& id, std::string_view method, const json& params) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
  }
  json notification(std::string_view method, const json& params) {
    return {{"jsonrpc", "2.0"}, {"method", method}, {"params", params}};
  }
};

json hover_params() {
  return {{"textDocument", {{"uri", "file:///a.py"}}},
          {"position", {{"line", 2}, {"character", 5}}}};
}

}  // namespace

TEST_SUITE("dispatcher") {
  TEST_CASE("a typed request gets its typed result under its id") {
    Harness h;
    h.dispatcher.bind_request<lsp::HoverParams, lsp::Hover>(
        "textDocument/hover", [](lsp::HoverParams params, Reply<lsp::Hover> reply) {
          lsp::Hover hover;
          hover.contents.value =
              params.text_document.uri + "@" + std::to_string(params.position.line);
          reply(hover);
        });
    h.receive(h.request(1, "textDocument/hover", hover_params()));
    h.receive(h.request("s-2", "textDocument/hover", hover_params()));
    REQUIRE(h.sent.size() == 2);
    CHECK(h.sent[0] ==
          json{{"jsonrpc", "2.0"},
               {"id", 1},
               {"result", {{"contents", {{"kind", "markdown"}, {"value", "file:///a.py@2"}}}}}});
    CHECK(h.sent[1]["id"] == "s-2");
    CHECK(h.warnings.empty());
  }

  TEST_CASE("an empty optional result answers null") {
    Harness h;
    h.dispatcher.bind_request<lsp::HoverParams, std::optional<lsp::Hover>>(
        "textDocument/hover",
        [](lsp::HoverParams, Reply<std::optional<lsp::Hover>> reply) { reply(std::nullopt); });
    h.receive(h.request(1, "textDocument/hover", hover_params()));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].contains("result"));
    CHECK(h.sent[0]["result"].is_null());
  }

  TEST_CASE("unknown requests get MethodNotFound, $/ ones included") {
    Harness h;
    h.receive(h.request(4, "textDocument/rename", json::object()));
    h.receive(h.request(5, "$/unknown", nullptr));
    REQUIRE(h.sent.size() == 2);
    CHECK(h.sent[0]["id"] == 4);
    CHECK(h.sent[0]["error"]["code"] == -32601);
    CHECK(h.sent[0]["error"]["message"] == "method not found: textDocument/rename");
    CHECK(h.sent[1]["error"]["code"] == -32601);
  }

  TEST_CASE("params that do not convert get InvalidParams and skip the handler") {
    Harness h;
    bool called = false;
    h.dispatcher.bind_request<lsp::HoverParams, lsp::Hover>(
        "textDocument/hover", [&](lsp::HoverParams, Reply<lsp::Hover> reply) {
          called = true;
          reply(lsp::Hover{});
        });
    h.receive(h.request(8, "textDocument/hover", {{"textDocument", {{"uri", "file:///a"}}}}));
    h.receive(
        h.request(9, "textDocument/hover", {{"textDocument", {{"uri", 3}}}, {"position", {}}}));
    h.receive(h.request(10, "textDocument/hover", nullptr));
    CHECK_FALSE(called);
    REQUIRE(h.sent.size() == 3);
    for (const json& answer : h.sent) CHECK(answer["error"]["code"] == -32602);
    CHECK(h.sent[0]["id"] == 8);
    CHECK(h.sent[0]["error"]["message"].get<std::string>().rfind("invalid params: ", 0) == 0);
    CHECK(h.sent[0]["error"]["message"].get<std::string>().find("position") != std::string::npos);
    CHECK(h.sent[1]["error"]["message"].get<std::string>().find("string") != std::string::npos);
  }

  TEST_CASE("notifications reach typed handlers; bad or unknown ones are dropped") {
    Harness h;
    std::vector<std::string> opened;
    h.dispatcher.bind_notification<lsp::DidOpenTextDocumentParams>(
        "textDocument/didOpen",
        [&](lsp::DidOpenTextDocumentParams params) { opened.push_back(params.text_document.uri); });
    h.receive(h.notification("textDocument/didOpen", {{"textDocument",
                                                       {{"uri", "file:///b.py"},
                                                        {"languageId", "python"},
                                                        {"version", 1},
                                                        {"text", "x = 1\n"}}}}));
    h.receive(h.notification("textDocument/didOpen", {{"textDocument", {{"uri", "file:///c"}}}}));
    CHECK(opened == std::vector<std::string>{"file:///b.py"});
    REQUIRE(h.warnings.size() == 1);
    CHECK(h.warnings[0].find("invalid params for notification textDocument/didOpen") == 0);

    h.receive(h.notification("$/setTrace", {{"value", "off"}}));
    CHECK(h.warnings.size() == 1);  // "$/" notifications may be ignored silently
    h.receive(h.notification("workspace/didRenameFiles", json::object()));
    CHECK(h.warnings.size() == 2);
    CHECK(h.sent.empty());  // notifications are never answered
  }

  TEST_CASE("a bound $/ notification is dispatched") {
    Harness h;
    json cancelled;
    h.dispatcher.bind_notification<lsp::CancelParams>(
        "$/cancelRequest", [&](lsp::CancelParams params) { cancelled = params.id; });
    h.receive(h.notification("$/cancelRequest", {{"id", 12}}));
    CHECK(cancelled == 12);
  }

  TEST_CASE("NoParams accepts absent, null and empty params") {
    Harness h;
    int initialized = 0;
    h.dispatcher.bind_notification<NoParams>("initialized", [&](NoParams) { ++initialized; });
    h.dispatcher.bind_request<NoParams, std::nullptr_t>(
        "shutdown", [](NoParams, Reply<std::nullptr_t> reply) { reply(nullptr); });
    h.receive(h.notification("initialized", json::object()));
    h.dispatcher.dispatch(R"({"jsonrpc":"2.0","method":"initialized"})");
    h.dispatcher.dispatch(R"({"jsonrpc":"2.0","id":1,"method":"shutdown"})");
    CHECK(initialized == 2);
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0] == json{{"jsonrpc", "2.0"}, {"id", 1}, {"result", nullptr}});
  }

  TEST_CASE("raw handlers see params as JSON") {
    Harness h;
    h.dispatcher.bind_raw_request("telinject/echo", [](json params, Reply<json> reply) {
      reply(json{{"echo", params}});
    });
    json seen;
    h.dispatcher.bind_raw_notification("telinject/note", [&](json params) { seen = params; });
    h.receive(h.request(3, "telinject/echo", json::array({1, "two"})));
    h.receive(h.notification("telinject/note", {{"any", {{"shape", true}}}}));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0]["result"] == json{{"echo", {1, "two"}}});
    CHECK(seen == json{{"any", {{"shape", true}}}});
  }

  TEST_CASE("errors go back with their code") {
    Harness h;
    h.dispatcher.bind_raw_request("slow", [](json, Reply<json> reply) {
      reply.error(ErrorCode::kRequestCancelled, "cancelled");
    });
    h.receive(h.request(6, "slow", nullptr));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0] == json{{"jsonrpc", "2.0"},
                            {"id", 6},
                            {"error", {{"code", -32800}, {"message", "cancelled"}}}});
  }

  TEST_CASE("a reply may be kept and answered later, from another thread") {
    Harness h;
    std::vector<Reply<json>> waiting;
    h.dispatcher.bind_raw_request("later", [&](json, Reply<json> reply) {
      CHECK(reply.id().is_number_integer());
      waiting.push_back(std::move(reply));
    });
    for (int id = 0; id < 8; ++id) h.receive(h.request(id, "later", nullptr));
    CHECK(h.sent.empty());
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&waiting, t] {
        for (std::size_t i = t; i < waiting.size(); i += 4) waiting[i](json(static_cast<int>(i)));
      });
    for (std::thread& thread : threads) thread.join();
    REQUIRE(h.sent.size() == 8);
    std::vector<bool> answered(8, false);
    for (const json& answer : h.sent) {
      CHECK(answer["result"] == answer["id"]);
      answered[answer["id"].get<int>()] = true;
    }
    CHECK(std::find(answered.begin(), answered.end(), false) == answered.end());
  }

  TEST_CASE("a dropped reply still answers, with InternalError") {
    Harness h;
    h.dispatcher.bind_raw_request("forgetful", [](json, Reply<json>) {});
    h.receive(h.request(11, "forgetful", nullptr));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0]["id"] == 11);
    CHECK(h.sent[0]["error"] == json{{"code", -32603}, {"message", "handler dropped the reply"}});
    CHECK(h.warnings == std::vector<std::string>{"handler for forgetful dropped its reply"});
  }

  TEST_CASE("a second reply is ignored") {
    Harness h;
    h.dispatcher.bind_raw_request("twice", [](json, Reply<json> reply) {
      reply(json(1));
      reply(json(2));
      reply.error(ErrorCode::kInternalError, "three");
    });
    h.receive(h.request(1, "twice", nullptr));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0]["result"] == 1);
    CHECK(h.warnings.size() == 2);
  }

  TEST_CASE("a moved-from reply owes nothing; the moved-to one answers") {
    Harness h;
    std::optional<Reply<json>> kept;
    h.dispatcher.bind_raw_request("move", [&](json, Reply<json> reply) {
      Reply<json> moved = std::move(reply);
      kept.emplace(std::move(moved));
    });
    h.receive(h.request(1, "move", nullptr));
    CHECK(h.sent.empty());
    (*kept)(json("done"));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0]["result"] == "done");
  }

  TEST_CASE("a throwing handler is logged and the request still answered") {
    Harness h;
    h.dispatcher.bind_raw_request("boom",
                                  [](json, Reply<json>) { throw std::runtime_error("kaput"); });
    h.dispatcher.bind_raw_notification("bang", [](json) { throw std::runtime_error("oops"); });
    h.receive(h.request(2, "boom", nullptr));
    h.receive(h.notification("bang", nullptr));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0]["error"]["code"] == -32603);
    CHECK(std::find(h.warnings.begin(), h.warnings.end(), "handler for boom threw: kaput") !=
          h.warnings.end());
    CHECK(std::find(h.warnings.begin(), h.warnings.end(),
                    "handler for notification bang threw: oops") != h.warnings.end());
  }

  TEST_CASE("anything a handler throws is answered with InternalError, and dispatch goes on") {
    Harness h;
    h.dispatcher.bind_raw_request("odd", [](json, Reply<json>) { throw 42; });
    h.dispatcher.bind_raw_notification("odd-note", [](json) { throw 42; });
    h.dispatcher.bind_request<lsp::CodeActionParams, json>(
        "typed", [](lsp::CodeActionParams, Reply<json> reply) { reply(nullptr); });
    h.receive(h.request(1, "odd", nullptr));
    h.receive(h.notification("odd-note", nullptr));
    h.receive(h.request(
        2, "typed",
        {{"textDocument", {{"uri", "file:///a"}}},
         {"range",
          {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", 0}, {"character", 0}}}}},
         {"context", {{"diagnostics", json::array()}}}}));
    REQUIRE(h.sent.size() == 2);
    CHECK(h.sent[0]["id"] == 1);
    CHECK(h.sent[0]["error"]["code"] == -32603);
    CHECK(h.sent[1]["id"] == 2);
    CHECK(h.sent[1]["result"] == nullptr);
  }

  TEST_CASE("params of the wrong shape, out-of-range numbers included, get InvalidParams") {
    Harness h;
    int calls = 0;
    h.dispatcher.bind_request<lsp::ResolveCodeActionParams, json>(
        "codeAction/resolve", [&](lsp::ResolveCodeActionParams, Reply<json> reply) {
          ++calls;
          reply(nullptr);
        });
    json good = {{"title", "t"},
                 {"data", {{"uri", "file:///a"}, {"version", 3}, {"action", "instrument"}}}};
    std::vector<json> bad;
    for (json version : {json("3"), json(nullptr), json(1.5), json(1e300),
                         json(18446744073709551615ull), json(int64_t{1} << 40), json::array()}) {
      json body = good;
      body["data"]["version"] = version;
      bad.push_back(body);
    }
    for (json action : {json(5), json(nullptr), json("delete"), json::object()}) {
      json body = good;
      body["data"]["action"] = action;
      bad.push_back(body);
    }
    for (json uri : {json(5), json(nullptr)}) {
      json body = good;
      body["data"]["uri"] = uri;
      bad.push_back(body);
    }
    json no_data = good;
    no_data.erase("data");
    bad.push_back(no_data);
    bad.push_back(json::array({good}));
    bad.push_back(nullptr);
    bad.push_back(json::array());
    int id = 0;
    for (const json& params : bad) h.receive(h.request(++id, "codeAction/resolve", params));
    h.receive(h.request(++id, "codeAction/resolve", good));
    REQUIRE(h.sent.size() == bad.size() + 1);
    for (size_t i = 0; i < bad.size(); ++i) {
      CAPTURE(bad[i]);
      CHECK(h.sent[i]["error"]["code"] == -32602);
    }
    CHECK(h.sent.back()["result"] == nullptr);
    CHECK(calls == 1);
  }

  TEST_CASE("invalid bodies are answered with ParseError or InvalidRequest") {
    Harness h;
    h.dispatcher.dispatch("{not json");
    h.dispatcher.dispatch(R"({"jsonrpc":"2.0","id":3,"method":4})");
    REQUIRE(h.sent.size() == 2);
    CHECK(h.sent[0]["id"].is_null());
    CHECK(h.sent[0]["error"]["code"] == -32700);
    CHECK(h.sent[1]["id"] == 3);
    CHECK(h.sent[1]["error"]["code"] == -32600);
  }

  TEST_CASE("our own requests get their responses routed back") {
    Harness h;
    std::vector<Response> responses;
    int64_t first = h.dispatcher.call("workspace/configuration", {{"items", json::array()}},
                                      [&](Response response) { responses.push_back(response); });
    int64_t second = h.dispatcher.call("workspace/applyEdit", {{"edit", json::object()}},
                                       [&](Response response) { responses.push_back(response); });
    CHECK(first != second);
    REQUIRE(h.sent.size() == 2);
    CHECK(h.sent[0] == json{{"jsonrpc", "2.0"},
                            {"id", first},
                            {"method", "workspace/configuration"},
                            {"params", {{"items", json::array()}}}});
    h.receive(
        {{"jsonrpc", "2.0"}, {"id", second}, {"error", {{"code", -32603}, {"message", "no"}}}});
    h.receive({{"jsonrpc", "2.0"}, {"id", first}, {"result", {{"setting", 1}}}});
    h.receive({{"jsonrpc", "2.0"}, {"id", first}, {"result", nullptr}});  // answered already
    REQUIRE(responses.size() == 2);
    CHECK(responses[0].error->message == "no");
    CHECK(responses[1].result == json{{"setting", 1}});
    CHECK(h.warnings.size() == 1);
    CHECK(h.warnings[0].find("response to an unknown request") == 0);
  }

  TEST_CASE("handlers may call back into the dispatcher") {
    Harness h;
    h.dispatcher.bind_raw_request("chatty", [&](json, Reply<json> reply) {
      h.dispatcher.notify("window/logMessage", {{"type", 4}, {"message", "working"}});
      h.dispatcher.call("window/workDoneProgress/create", {{"token", "t"}}, [](Response) {});
      reply(json(true));
    });
    h.receive(h.request(1, "chatty", nullptr));
    REQUIRE(h.sent.size() == 3);
    CHECK(h.sent[0]["method"] == "window/logMessage");
    CHECK(h.sent[1]["method"] == "window/workDoneProgress/create");
    CHECK(h.sent[2]["result"] == true);
  }

  TEST_CASE("a reply outlives its dispatcher") {
    std::vector<std::string> sent;
    std::optional<Reply<json>> kept;
    {
      Dispatcher dispatcher([&](std::string body) { sent.push_back(std::move(body)); });
      dispatcher.bind_raw_request("keep",
                                  [&](json, Reply<json> reply) { kept.emplace(std::move(reply)); });
      dispatcher.dispatch(R"({"jsonrpc":"2.0","id":1,"method":"keep"})");
    }
    (*kept)(json(5));
    CHECK(sent == std::vector<std::string>{R"({"id":1,"jsonrpc":"2.0","result":5})"});
  }

  TEST_CASE("binding a method again replaces its handler") {
    Harness h;
    h.dispatcher.bind_raw_request("m", [](json, Reply<json> reply) { reply(json("old")); });
    h.dispatcher.bind_raw_request("m", [](json, Reply<json> reply) { reply(json("new")); });
    h.receive(h.request(1, "m", nullptr));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0]["result"] == "new");
  }

  TEST_CASE("every answer is reported once, after it was sent, whoever gave it") {
    std::vector<std::string> events;
    Dispatcher dispatcher([&](std::string body) { events.push_back("sent " + body); }, {},
                          [&](const json& id) { events.push_back("answered " + id.dump()); });
    dispatcher.bind_request<NeedsX, json>("typed",
                                          [](NeedsX, Reply<json> reply) { reply(json(1)); });
    std::optional<Reply<json>> kept;
    dispatcher.bind_raw_request("keep",
                                [&](json, Reply<json> reply) { kept.emplace(std::move(reply)); });
    dispatcher.bind_raw_request("drop", [](json, Reply<json>) {});
    dispatcher.bind_raw_notification("note", [](json) {});
    dispatcher.dispatch(R"({"jsonrpc":"2.0","id":1,"method":"typed","params":{"x":1}})");
    dispatcher.dispatch(R"({"jsonrpc":"2.0","id":2,"method":"typed","params":{}})");
    dispatcher.dispatch(R"({"jsonrpc":"2.0","id":3,"method":"unknown"})");
    dispatcher.dispatch(R"({"jsonrpc":"2.0","id":"4","method":"drop"})");
    dispatcher.dispatch(R"({"jsonrpc":"2.0","method":"note"})");
    dispatcher.dispatch(R"({"jsonrpc":"2.0","id":5,"method":"keep"})");
    (*kept)(json(nullptr));
    (*kept)(json(nullptr));  // a second answer is ignored, and not reported again
    std::vector<std::string> answered;
    for (size_t i = 0; i < events.size(); ++i)
      if (events[i].rfind("answered ", 0) == 0) {
        CHECK(events[i - 1].rfind("sent ", 0) == 0);
        answered.push_back(events[i].substr(9));
      }
    CHECK(answered == std::vector<std::string>{"1", "2", "3", "\"4\"", "5"});
  }
}
