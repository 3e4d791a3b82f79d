#include "jsonrpc.h"

#include <doctest/doctest.h>

#include <string>

using namespace telinject::protocol;
using nlohmann::json;

namespace {

InvalidMessage expect_invalid(std::string_view body) {
  Message message = parse_message(body);
  REQUIRE_MESSAGE(std::holds_alternative<InvalidMessage>(message), body);
  return std::get<InvalidMessage>(message);
}

}  // namespace

TEST_SUITE("jsonrpc") {
  TEST_CASE("error codes have the spec's values") {
    CHECK(static_cast<int>(ErrorCode::kParseError) == -32700);
    CHECK(static_cast<int>(ErrorCode::kInvalidRequest) == -32600);
    CHECK(static_cast<int>(ErrorCode::kMethodNotFound) == -32601);
    CHECK(static_cast<int>(ErrorCode::kInvalidParams) == -32602);
    CHECK(static_cast<int>(ErrorCode::kInternalError) == -32603);
    CHECK(static_cast<int>(ErrorCode::kServerNotInitialized) == -32002);
    CHECK(static_cast<int>(ErrorCode::kUnknownErrorCode) == -32001);
    CHECK(static_cast<int>(ErrorCode::kRequestFailed) == -32803);
    CHECK(static_cast<int>(ErrorCode::kServerCancelled) == -32802);
    CHECK(static_cast<int>(ErrorCode::kContentModified) == -32801);
    CHECK(static_cast<int>(ErrorCode::kRequestCancelled) == -32800);
  }

  TEST_CASE("requests keep their id, integer or string, and their params") {
    Message message = parse_message(
        R"({"jsonrpc":"2.0","id":7,"method":"textDocument/hover","params":{"x":[1]}})");
    REQUIRE(std::holds_alternative<Request>(message));
    const Request& request = std::get<Request>(message);
    CHECK(request.id == 7);
    CHECK(request.method == "textDocument/hover");
    CHECK(request.params == json{{"x", {1}}});

    Message named = parse_message(R"({"jsonrpc":"2.0","id":"abc","method":"shutdown"})");
    REQUIRE(std::holds_alternative<Request>(named));
    CHECK(std::get<Request>(named).id == "abc");
    CHECK(std::get<Request>(named).params.is_null());

    Message array = parse_message(R"({"jsonrpc":"2.0","id":1,"method":"m","params":[1,2]})");
    REQUIRE(std::holds_alternative<Request>(array));
    CHECK(std::get<Request>(array).params == json::array({1, 2}));
  }

  TEST_CASE("notifications have no id; null params read as absent") {
    Message message = parse_message(R"({"jsonrpc":"2.0","method":"exit","params":null})");
    REQUIRE(std::holds_alternative<Notification>(message));
    CHECK(std::get<Notification>(message).method == "exit");
    CHECK(std::get<Notification>(message).params.is_null());
  }

  TEST_CASE("responses carry a result or an error") {
    Message ok = parse_message(R"({"jsonrpc":"2.0","id":3,"result":null})");
    REQUIRE(std::holds_alternative<Response>(ok));
    CHECK(std::get<Response>(ok).id == 3);
    CHECK(std::get<Response>(ok).result.is_null());
    CHECK_FALSE(std::get<Response>(ok).error.has_value());

    Message failed = parse_message(
        R"({"jsonrpc":"2.0","id":"4","error":{"code":-32800,"message":"cancelled","data":[1]}})");
    REQUIRE(std::holds_alternative<Response>(failed));
    const Response& response = std::get<Response>(failed);
    CHECK(response.id == "4");
    REQUIRE(response.error.has_value());
    CHECK(response.error->code == ErrorCode::kRequestCancelled);
    CHECK(response.error->message == "cancelled");
    CHECK(response.error->data == json::array({1}));

    Message unknown_code =
        parse_message(R"({"jsonrpc":"2.0","id":null,"error":{"code":12,"message":"x"}})");
    REQUIRE(std::holds_alternative<Response>(unknown_code));
    CHECK(static_cast<int>(std::get<Response>(unknown_code).error->code) == 12);
  }

  TEST_CASE("bodies that are not JSON are parse errors") {
    for (std::string_view body : {"", "{", "{\"jsonrpc\":\"2.0\",}", "nul", "\xFF{}"}) {
      CAPTURE(body);
      InvalidMessage invalid = expect_invalid(body);
      CHECK(invalid.error.code == ErrorCode::kParseError);
      CHECK(invalid.id.is_null());
    }
  }

  TEST_CASE("nesting is limited, brackets inside strings aside") {
    std::string deep = std::string(10000, '[') + std::string(10000, ']');
    CHECK(expect_invalid(deep).error.code == ErrorCode::kParseError);
    std::string quoted =
        R"({"jsonrpc":"2.0","method":"m","params":{"s":")" + std::string(10000, '[') + R"(\"["}})";
    CHECK(std::holds_alternative<Notification>(parse_message(quoted)));
  }

  TEST_CASE("wrong shapes are invalid requests, under the id when it is readable") {
    struct Case {
      const char* body;
      json id;
    };
    const Case cases[] = {
        {R"([{"jsonrpc":"2.0","method":"m"}])", nullptr},  // batches are not used by LSP
        {R"(42)", nullptr},
        {R"({"id":1,"method":"m"})", 1},
        {R"({"jsonrpc":"1.0","id":1,"method":"m"})", 1},
        {R"({"jsonrpc":2.0,"id":1,"method":"m"})", 1},
        {R"({"jsonrpc":"2.0","id":5,"method":17})", 5},
        {R"({"jsonrpc":"2.0","id":1.5,"method":"m"})", nullptr},
        {R"({"jsonrpc":"2.0","id":true,"method":"m"})", nullptr},
        {R"({"jsonrpc":"2.0","id":null,"method":"m"})", nullptr},
        {R"({"jsonrpc":"2.0","id":{"a":1},"method":"m"})", nullptr},
        {R"({"jsonrpc":"2.0","id":"s","method":"m","params":"text"})", "s"},
        {R"({"jsonrpc":"2.0","method":"m","params":3})", nullptr},
        {R"({"jsonrpc":"2.0"})", nullptr},
        {R"({"jsonrpc":"2.0","id":1})", nullptr},
        {R"({"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":"m"}})", nullptr},
        {R"({"jsonrpc":"2.0","id":1,"error":{"message":"m"}})", nullptr},
        {R"({"jsonrpc":"2.0","id":1,"error":{"code":"1","message":"m"}})", nullptr},
        {R"({"jsonrpc":"2.0","id":1,"error":"bad"})", nullptr},
        {R"({"jsonrpc":"2.0","id":[1],"result":1})", nullptr},
    };
    for (const Case& c : cases) {
      CAPTURE(c.body);
      InvalidMessage invalid = expect_invalid(c.body);
      CHECK(invalid.error.code == ErrorCode::kInvalidRequest);
      CHECK(invalid.id == c.id);
      CHECK_FALSE(invalid.error.message.empty());
    }
  }

  TEST_CASE("builders write exact bodies") {
    CHECK(response_body(1, {{"a", 1}}) == R"({"id":1,"jsonrpc":"2.0","result":{"a":1}})");
    CHECK(response_body("x", nullptr) == R"({"id":"x","jsonrpc":"2.0","result":null})");
    CHECK(error_body(2, {ErrorCode::kMethodNotFound, "no such method", std::nullopt}) ==
          R"({"error":{"code":-32601,"message":"no such method"},"id":2,"jsonrpc":"2.0"})");
    CHECK(error_body(nullptr, {ErrorCode::kParseError, "bad", json{{"at", 3}}}) ==
          R"({"error":{"code":-32700,"data":{"at":3},"message":"bad"},"id":null,"jsonrpc":"2.0"})");
    CHECK(notification_body("exit", nullptr) == R"({"jsonrpc":"2.0","method":"exit"})");
    CHECK(notification_body("window/logMessage", {{"type", 3}}) ==
          R"({"jsonrpc":"2.0","method":"window/logMessage","params":{"type":3}})");
    CHECK(request_body(9, "workspace/configuration", {{"items", json::array()}}) ==
          R"({"id":9,"jsonrpc":"2.0","method":"workspace/configuration","params":{"items":[]}})");
    CHECK(request_body("t", "m", nullptr) == R"({"id":"t","jsonrpc":"2.0","method":"m"})");
  }

  TEST_CASE("builders replace invalid UTF-8 instead of throwing") {
    std::string body = notification_body("m", {{"text", "bad \xFF byte"}});
    CHECK(body ==
          "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"text\":\"bad \xEF\xBF\xBD byte\"}}");
  }

  TEST_CASE("built bodies parse back") {
    Message message = parse_message(request_body(4, "textDocument/codeAction", {{"k", "v"}}));
    REQUIRE(std::holds_alternative<Request>(message));
    CHECK(std::get<Request>(message).params == json{{"k", "v"}});
    Message answer = parse_message(error_body(4, {ErrorCode::kContentModified, "stale", {}}));
    REQUIRE(std::holds_alternative<Response>(answer));
    CHECK(std::get<Response>(answer).error->code == ErrorCode::kContentModified);
  }
}
