// JSON-RPC 2.0 messages as LSP uses them: parsing one body into a request, notification or
// response without throwing, and building the bodies we send.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace telinject::protocol {

/// JSON-RPC and LSP error codes. Other values (from a client's error responses) are kept as
/// they come: the enum holds any int.
enum class ErrorCode : int {
  kParseError = -32700,
  kInvalidRequest = -32600,
  kMethodNotFound = -32601,
  kInvalidParams = -32602,
  kInternalError = -32603,
  kServerNotInitialized = -32002,
  kUnknownErrorCode = -32001,
  kRequestFailed = -32803,
  kServerCancelled = -32802,
  kContentModified = -32801,
  kRequestCancelled = -32800,
};

struct RpcError {
  ErrorCode code = ErrorCode::kInternalError;
  std::string message;
  std::optional<nlohmann::json> data;
};

/// A call that expects a response. `id` is an integer or a string; `params` is an object, an
/// array, or null when absent.
struct Request {
  nlohmann::json id;
  std::string method;
  nlohmann::json params;
};

/// A call without a response.
struct Notification {
  std::string method;
  nlohmann::json params;
};

/// The answer to a request we sent: `error` when set, else `result` (possibly null).
struct Response {
  nlohmann::json id;  // an integer or a string; null only in errors about unparsable input
  nlohmann::json result;
  std::optional<RpcError> error;
};

/// A body that is not a valid message. `error` is ParseError or InvalidRequest and is meant to
/// be sent back with error_body(id, error); `id` is the request's id when it could be read,
/// else null.
struct InvalidMessage {
  nlohmann::json id;
  RpcError error;
};

using Message = std::variant<Request, Notification, Response, InvalidMessage>;

/// Nesting depth beyond which parse_message rejects a body (as ParseError): deep JSON would
/// exhaust the stack when copied or printed.
inline constexpr int kMaxJsonDepth = 256;

/// Parses one message body. Never throws. Invalid JSON or JSON nested deeper than
/// kMaxJsonDepth gives ParseError; a well-formed body of the wrong shape gives InvalidRequest:
/// not an object (batches included), "jsonrpc" not "2.0", "method" not a string, "id" neither
/// integer nor string, "params" neither object, array nor null, a response without exactly one
/// of "result" and "error", or an "error" without an integer "code" and a string "message".
/// Pure function, thread-safe.
Message parse_message(std::string_view body);

/// {"jsonrpc":"2.0","id":id,"result":result}. Invalid UTF-8 in strings is replaced by U+FFFD;
/// never throws. Pure function (as are the other builders).
std::string response_body(const nlohmann::json& id, const nlohmann::json& result);

/// {"jsonrpc":"2.0","id":id,"error":{"code":..,"message":..,"data":..}}; "data" only when set.
std::string error_body(const nlohmann::json& id, const RpcError& error);

/// {"jsonrpc":"2.0","method":method,"params":params}; "params" omitted when null.
std::string notification_body(std::string_view method, const nlohmann::json& params);

/// {"jsonrpc":"2.0","id":id,"method":method,"params":params}; "params" omitted when null.
std::string request_body(const nlohmann::json& id, std::string_view method,
                         const nlohmann::json& params);

/// Serialises `json` compactly; invalid UTF-8 in strings becomes U+FFFD instead of throwing.
std::string dump_json(const nlohmann::json& json);

}  // namespace telinject::protocol
