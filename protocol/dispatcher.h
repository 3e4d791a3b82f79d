// The one table from method names to typed handlers (clangd's binder, ccls's dispatcher): it
// parses incoming bodies, converts params, routes, and answers MethodNotFound, InvalidParams and
// InvalidRequest itself. It also sends our own notifications and requests and routes their
// responses back. Outgoing bodies go to a sink; no IO, no threads of its own.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "jsonrpc.h"

namespace telinject::protocol {

/// Receives every outgoing body (unframed). May be called from any thread, including several at
/// once, so it must serialise its own writes; it must not throw.
using MessageSink = std::function<void(std::string body)>;
/// Receives warnings about misuse and dropped input (a reply dropped or sent twice, a handler
/// that threw, an unknown notification or response). May be called from any thread.
using WarningLog = std::function<void(std::string_view message)>;
/// Told the id of each request once it is answered (after its body went to the sink): every
/// answer, from a handler, from the dispatcher itself (MethodNotFound, InvalidParams) or from a
/// dropped Reply. May be called from any thread; must not throw.
using AnswerHook = std::function<void(const nlohmann::json& id)>;
/// Receives the response to a request we sent.
using ResponseHandler = std::function<void(Response response)>;

/// Params for methods that take none (shutdown, exit, initialized): accepts anything.
struct NoParams {};
inline void from_json(const nlohmann::json&, NoParams&) {}

namespace detail {

struct Outbox {
  MessageSink sink;
  WarningLog warn;
  AnswerHook answered;
  void send_answer(const nlohmann::json& id, std::string body) const {
    sink(std::move(body));
    if (answered) answered(id);
  }
  void warning(const std::string& message) const {
    if (warn) warn(message);
  }
};

/// The untyped half of Reply: the request's id, and the duty to answer it once.
class ReplyChannel {
 public:
  ReplyChannel(std::shared_ptr<const Outbox> outbox, nlohmann::json id, std::string method);
  ReplyChannel(ReplyChannel&& other) noexcept;
  ReplyChannel& operator=(ReplyChannel&& other) noexcept;
  ~ReplyChannel();

  void send_result(const nlohmann::json& result);
  /// True until an answer was sent or the channel was moved away.
  bool owes_answer() const { return outbox_ && !replied_; }
  void send_error(RpcError error);
  const nlohmann::json& id() const { return id_; }
  const std::string& method() const { return method_; }

 private:
  void drop();  // answers InternalError when no answer was sent

  std::shared_ptr<const Outbox> outbox_;  // null once moved from
  nlohmann::json id_;
  std::string method_;
  bool replied_ = false;
};

template <class T>
nlohmann::json result_json(const T& value) {
  return nlohmann::json(value);
}
template <class T>
nlohmann::json result_json(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace detail

/// The answer to one request: call it exactly once, with a result or an error. Move-only; may
/// be moved to and called from any thread (the sink runs on that thread). Dropped without a
/// call, it answers InternalError "handler dropped the reply" from its destructor, so the
/// client always gets an answer, and logs a warning (in every build, not only debug ones: the
/// answer is what keeps the client from waiting forever); a second call is ignored with a
/// warning. `Result` converts with to_json; std::optional<T> answers null when empty; methods
/// whose result is always null use Reply<std::nullptr_t>.
template <class Result>
class Reply {
 public:
  explicit Reply(detail::ReplyChannel channel) : channel_(std::move(channel)) {}

  void operator()(const Result& result) {
    nlohmann::json json;
    try {
      json = detail::result_json(result);
    } catch (const std::exception& e) {
      channel_.send_error({ErrorCode::kInternalError, std::string("result: ") + e.what(), {}});
      return;
    }
    channel_.send_result(json);
  }
  void error(RpcError error) { channel_.send_error(std::move(error)); }
  void error(ErrorCode code, std::string message) {
    channel_.send_error({code, std::move(message), std::nullopt});
  }
  /// The request's id (an integer or a string), e.g. to find it on $/cancelRequest.
  const nlohmann::json& id() const { return channel_.id(); }

 private:
  detail::ReplyChannel channel_;
};

/// Binds methods, then dispatches message bodies to them.
///
/// Threading: bind everything before the first dispatch(); binding is not thread-safe.
/// dispatch(), notify() and call() may then be used from any thread. Handlers run on the thread
/// that calls dispatch(); the dispatcher holds no lock while a handler, a response handler or
/// the sink runs, so handlers may call back into it. Replies may outlive the dispatcher.
class Dispatcher {
 public:
  /// `answered`, when given, learns of every request answered (e.g. to forget its
  /// cancellation entry).
  explicit Dispatcher(MessageSink sink, WarningLog warn = {}, AnswerHook answered = {});
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  /// Binds a request. `Params` converts with from_json (a failure answers InvalidParams with the
  /// conversion's message and does not call the handler); the handler must answer through its
  /// Reply exactly once, now or later. Binding a method twice replaces the handler.
  template <class Params, class Result>
  void bind_request(std::string method, std::function<void(Params, Reply<Result>)> handler) {
    add_request(std::move(method), [handler = std::move(handler)](const nlohmann::json& params,
                                                                  detail::ReplyChannel& channel) {
      std::optional<Params> typed;
      try {
        typed.emplace(params.get<Params>());
      } catch (const std::exception& e) {
        channel.send_error(
            {ErrorCode::kInvalidParams, std::string("invalid params: ") + e.what(), std::nullopt});
        return;
      }
      handler(std::move(*typed), Reply<Result>(std::move(channel)));
    });
  }

  /// Binds a notification. Params that do not convert are logged and dropped.
  template <class Params>
  void bind_notification(std::string method, std::function<void(Params)> handler) {
    add_notification(method, [outbox = outbox_, method,
                              handler = std::move(handler)](const nlohmann::json& params) {
      std::optional<Params> typed;
      try {
        typed.emplace(params.get<Params>());
      } catch (const std::exception& e) {
        outbox->warning("invalid params for notification " + method + ": " + e.what());
        return;
      }
      handler(std::move(*typed));
    });
  }

  /// Binds a request whose params stay JSON (null when absent), for open-ended methods.
  void bind_raw_request(std::string method,
                        std::function<void(nlohmann::json, Reply<nlohmann::json>)> handler);
  /// Binds a notification whose params stay JSON (null when absent).
  void bind_raw_notification(std::string method, std::function<void(nlohmann::json)> handler);

  /// Parses one body and routes it: a request to its handler (unknown method: MethodNotFound),
  /// a notification to its handler (unknown: dropped, with a warning unless "$/"-prefixed), a
  /// response to the call() waiting for it, an invalid body to an error response. Never throws:
  /// a handler that throws anything is logged, and its reply answers InternalError (the last
  /// resort: handlers should answer InvalidParams themselves, through typed params).
  void dispatch(std::string_view body);
  /// As above, for a message already parsed (e.g. after the server looked at it first).
  void dispatch(Message message);

  /// Sends a notification to the client.
  void notify(std::string_view method, const nlohmann::json& params);
  /// Sends a notification whose whole body was written by the caller (publish_diagnostics_body).
  void notify_body(std::string body);
  /// Sends a request to the client; `on_response` runs once, on the thread that dispatches the
  /// response. Returns the request's id. A call the client never answers keeps its handler
  /// until the dispatcher goes.
  int64_t call(std::string_view method, const nlohmann::json& params, ResponseHandler on_response);

 private:
  // Takes the channel by reference: a handler that throws before moving it into its Reply
  // leaves it to dispatch(), which answers InternalError with the exception's message.
  using RequestHandler = std::function<void(const nlohmann::json&, detail::ReplyChannel&)>;
  using NotificationHandler = std::function<void(const nlohmann::json&)>;

  void add_request(std::string method, RequestHandler handler);
  void add_notification(std::string method, NotificationHandler handler);

  void warn(const std::string& message) const { outbox_->warning(message); }
  void handle(Request request);
  void handle(Notification notification);
  void handle(Response response);
  void handle(InvalidMessage invalid);

  std::shared_ptr<const detail::Outbox> outbox_;
  std::map<std::string, RequestHandler, std::less<>> requests_;
  std::map<std::string, NotificationHandler, std::less<>> notifications_;
  std::mutex calls_mutex_;  // guards the two members below
  int64_t next_call_id_ = 1;
  std::map<int64_t, ResponseHandler> pending_calls_;
};

}  // namespace telinject::protocol
