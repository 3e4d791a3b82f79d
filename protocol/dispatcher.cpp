#include "dispatcher.h"

namespace telinject::protocol {

using nlohmann::json;

namespace detail {

ReplyChannel::ReplyChannel(std::shared_ptr<const Outbox> outbox, json id, std::string method)
    : outbox_(std::move(outbox)), id_(std::move(id)), method_(std::move(method)) {}

ReplyChannel::ReplyChannel(ReplyChannel&& other) noexcept
    : outbox_(std::move(other.outbox_)),
      id_(std::move(other.id_)),
      method_(std::move(other.method_)),
      replied_(other.replied_) {}

ReplyChannel& ReplyChannel::operator=(ReplyChannel&& other) noexcept {
  if (this != &other) {
    drop();
    outbox_ = std::move(other.outbox_);
    id_ = std::move(other.id_);
    method_ = std::move(other.method_);
    replied_ = other.replied_;
  }
  return *this;
}

ReplyChannel::~ReplyChannel() { drop(); }

void ReplyChannel::drop() {
  if (!outbox_ || replied_) return;
  outbox_->warning("handler for " + method_ + " dropped its reply");
  send_error({ErrorCode::kInternalError, "handler dropped the reply", std::nullopt});
}

void ReplyChannel::send_result(const json& result) {
  if (!outbox_) return;
  if (replied_) {
    outbox_->warning("second reply to " + method_ + " ignored");
    return;
  }
  replied_ = true;
  outbox_->send_answer(id_, response_body(id_, result));
}

void ReplyChannel::send_error(RpcError error) {
  if (!outbox_) return;
  if (replied_) {
    outbox_->warning("second reply to " + method_ + " ignored");
    return;
  }
  replied_ = true;
  outbox_->send_answer(id_, error_body(id_, error));
}

}  // namespace detail

Dispatcher::Dispatcher(MessageSink sink, WarningLog warn, AnswerHook answered)
    : outbox_(std::make_shared<const detail::Outbox>(
          detail::Outbox{std::move(sink), std::move(warn), std::move(answered)})) {}

void Dispatcher::add_request(std::string method, RequestHandler handler) {
  requests_.insert_or_assign(std::move(method), std::move(handler));
}

void Dispatcher::add_notification(std::string method, NotificationHandler handler) {
  notifications_.insert_or_assign(std::move(method), std::move(handler));
}

void Dispatcher::bind_raw_request(std::string method,
                                  std::function<void(json, Reply<json>)> handler) {
  add_request(std::move(method),
              [handler = std::move(handler)](const json& params, detail::ReplyChannel& channel) {
                handler(params, Reply<json>(std::move(channel)));
              });
}

void Dispatcher::bind_raw_notification(std::string method, std::function<void(json)> handler) {
  add_notification(std::move(method),
                   [handler = std::move(handler)](const json& params) { handler(params); });
}

void Dispatcher::dispatch(std::string_view body) { dispatch(parse_message(body)); }

void Dispatcher::dispatch(Message message) {
  std::visit([this](auto&& alternative) { handle(std::move(alternative)); }, std::move(message));
}

void Dispatcher::handle(Request request) {
  auto it = requests_.find(request.method);
  if (it == requests_.end()) {
    outbox_->send_answer(
        request.id, error_body(request.id, {ErrorCode::kMethodNotFound,
                                            "method not found: " + request.method, std::nullopt}));
    return;
  }
  // Handlers should not throw; if one does, the server lives on and the client is answered:
  // here when the channel is still ours, else by the Reply the handler made, destroyed on the
  // way out.
  detail::ReplyChannel channel(outbox_, request.id, request.method);
  std::string failure;
  try {
    it->second(request.params, channel);
    return;
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "an exception that is not a std::exception";
  }
  warn("handler for " + request.method + " threw: " + failure);
  if (channel.owes_answer())
    channel.send_error({ErrorCode::kInternalError, "internal error: " + failure, std::nullopt});
}

void Dispatcher::handle(Notification notification) {
  auto it = notifications_.find(notification.method);
  if (it == notifications_.end()) {
    // "$/" notifications are optional by the spec; others hint at a missing binding.
    if (notification.method.rfind("$/", 0) != 0)
      warn("no handler for notification " + notification.method);
    return;
  }
  try {
    it->second(notification.params);
  } catch (const std::exception& e) {
    warn("handler for notification " + notification.method + " threw: " + e.what());
  } catch (...) {
    warn("handler for notification " + notification.method + " threw");
  }
}

void Dispatcher::handle(Response response) {
  ResponseHandler on_response;
  if (response.id.is_number_integer()) {
    std::lock_guard<std::mutex> lock(calls_mutex_);
    auto it = pending_calls_.find(response.id.get<int64_t>());
    if (it != pending_calls_.end()) {
      on_response = std::move(it->second);
      pending_calls_.erase(it);
    }
  }
  if (!on_response) {
    warn("response to an unknown request: id " + dump_json(response.id));
    return;
  }
  try {
    on_response(std::move(response));
  } catch (const std::exception& e) {
    warn(std::string("response handler threw: ") + e.what());
  } catch (...) {
    warn("response handler threw");
  }
}

void Dispatcher::handle(InvalidMessage invalid) {
  warn("invalid message: " + invalid.error.message);
  outbox_->sink(error_body(invalid.id, invalid.error));
}

void Dispatcher::notify(std::string_view method, const json& params) {
  outbox_->sink(notification_body(method, params));
}

void Dispatcher::notify_body(std::string body) { outbox_->sink(std::move(body)); }

int64_t Dispatcher::call(std::string_view method, const json& params, ResponseHandler on_response) {
  int64_t id;
  {
    std::lock_guard<std::mutex> lock(calls_mutex_);
    id = next_call_id_++;
    pending_calls_.emplace(id, std::move(on_response));
  }
  // Registered before sending, so that a quick response always finds its handler.
  outbox_->sink(request_body(id, method, params));
  return id;
}

}  // namespace telinject::protocol
