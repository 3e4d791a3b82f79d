#include "jsonrpc.h"

#include "json_reader.h"

namespace telinject::protocol {

using nlohmann::json;

namespace {

// True when no object or array in `body` nests deeper than `limit`. Brackets inside strings
// do not count; the text need not be valid JSON (the parser judges that).
bool nesting_within(std::string_view body, int limit) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

bool is_valid_id(const json& id) { return id.is_number_integer() || id.is_string(); }

InvalidMessage invalid(json id, std::string message) {
  return {std::move(id), RpcError{ErrorCode::kInvalidRequest, std::move(message), std::nullopt}};
}

Message parse_response(const json& message, json id) {
  auto result = message.find("result");
  auto error = message.find("error");
  bool has_result = result != message.end(), has_error = error != message.end();
  if (has_result == has_error)
    return invalid(nullptr, "a response needs exactly one of \"result\" and \"error\"");
  Response response{std::move(id), nullptr, std::nullopt};
  if (has_result) {
    response.result = *result;
    return response;
  }
  auto code = error->find("code");
  auto text = error->find("message");
  if (!error->is_object() || code == error->end() || !code->is_number_integer() ||
      text == error->end() || !text->is_string())
    return invalid(nullptr, "\"error\" needs an integer \"code\" and a string \"message\"");
  RpcError rpc_error{static_cast<ErrorCode>(code->get<int>()), text->get<std::string>(),
                     std::nullopt};
  if (auto data = error->find("data"); data != error->end()) rpc_error.data = *data;
  response.error = std::move(rpc_error);
  return response;
}

}  // namespace

Message parse_message(std::string_view body) {
  if (!nesting_within(body, kMaxJsonDepth))
    return InvalidMessage{nullptr, {ErrorCode::kParseError, "JSON nested too deeply", {}}};
  std::optional<json> parsed = read_json(body, kMaxJsonDepth);
  if (!parsed) return InvalidMessage{nullptr, {ErrorCode::kParseError, "invalid JSON", {}}};
  json message = std::move(*parsed);
  if (!message.is_object()) return invalid(nullptr, "a message must be a JSON object");

  // Read the id first so that a request with a valid id gets its errors under that id.
  json id = nullptr;
  auto id_field = message.find("id");
  bool has_id = id_field != message.end();
  if (has_id && is_valid_id(*id_field)) id = *id_field;

  auto version = message.find("jsonrpc");
  if (version == message.end() || *version != "2.0")
    return invalid(id, "\"jsonrpc\" must be \"2.0\"");

  auto method = message.find("method");
  if (method == message.end()) {
    if (!has_id) return invalid(nullptr, "a message needs a \"method\" or an \"id\"");
    if (!id_field->is_null() && !is_valid_id(*id_field))
      return invalid(nullptr, "\"id\" must be an integer or a string");
    return parse_response(message, std::move(id));
  }
  if (!method->is_string()) return invalid(id, "\"method\" must be a string");
  if (has_id && !is_valid_id(*id_field))
    return invalid(nullptr, "\"id\" must be an integer or a string");

  json params = nullptr;
  if (auto field = message.find("params"); field != message.end()) {
    if (!field->is_object() && !field->is_array() && !field->is_null())
      return invalid(id, "\"params\" must be an object or an array");
    params = std::move(*field);
  }
  if (has_id) return Request{std::move(id), method->get<std::string>(), std::move(params)};
  return Notification{method->get<std::string>(), std::move(params)};
}

std::string dump_json(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string response_body(const json& id, const json& result) {
  return dump_json({{"jsonrpc", "2.0"}, {"id", id}, {"result", result}});
}

std::string error_body(const json& id, const RpcError& error) {
  json body_error = {{"code", static_cast<int>(error.code)}, {"message", error.message}};
  if (error.data) body_error["data"] = *error.data;
  return dump_json({{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(body_error)}});
}

std::string notification_body(std::string_view method, const json& params) {
  json body = {{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.is_null()) body["params"] = params;
  return dump_json(body);
}

std::string request_body(const json& id, std::string_view method, const json& params) {
  json body = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.is_null()) body["params"] = params;
  return dump_json(body);
}

}  // namespace telinject::protocol
