#include "llm_fake_server.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

namespace telinject::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

nlohmann::json FakeRequest::json() const {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

struct FakeLlmServer::Impl {
  Handler handler;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  unsigned short port = 0;
  std::atomic<bool> stopping{false};
  std::thread accept_thread;
  mutable std::mutex mutex;
  std::vector<FakeRequest> requests;
  std::vector<std::thread> connections;

  void serve(tcp::socket socket) {
    boost::beast::flat_buffer buffer;
    boost::beast::error_code ec;
    for (;;) {
      http::request<http::string_body> request;
      http::read(socket, buffer, request, ec);
      if (ec) return;
      FakeRequest seen;
      seen.method = std::string(request.method_string());
      seen.target = std::string(request.target());
      for (const auto& field : request) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        seen.headers[name] = std::string(field.value());
      }
      seen.body = request.body();
      {
        std::lock_guard lock(mutex);
        requests.push_back(seen);
      }
      FakeResponse answer = handler(seen);
      if (answer.delay_seconds > 0) {
        // Sleep in slices so that a stopping server does not wait out long delays.
        auto until = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(static_cast<int>(answer.delay_seconds * 1000));
        while (!stopping && std::chrono::steady_clock::now() < until)
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      http::response<http::string_body> response{static_cast<http::status>(answer.status),
                                                 request.version()};
      response.set(http::field::content_type, "application/json");
      for (const auto& [name, value] : answer.headers) response.set(name, value);
      response.body() = answer.body;
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      http::write(socket, response, ec);
      if (ec || !request.keep_alive()) break;
    }
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }

  void accept_loop() {
    for (;;) {
      tcp::socket socket(io);
      boost::system::error_code ec;
      acceptor.accept(socket, ec);
      if (stopping) return;
      if (ec) continue;
      std::lock_guard lock(mutex);
      connections.emplace_back([this, s = std::move(socket)]() mutable { serve(std::move(s)); });
    }
  }
};

FakeLlmServer::FakeLlmServer(Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->accept_thread = std::thread([this] { impl_->accept_loop(); });
}

FakeLlmServer::FakeLlmServer(std::vector<FakeResponse> script)
    : FakeLlmServer([script = std::move(script),
                     next = std::make_shared<std::atomic<size_t>>(0)](const FakeRequest&) {
        size_t i = next->fetch_add(1);
        return script.at(std::min(i, script.size() - 1));
      }) {}

FakeLlmServer::~FakeLlmServer() {
  impl_->stopping = true;
  {
    // Wake the blocking accept with a connection of our own.
    boost::system::error_code ec;
    asio::io_context io;
    tcp::socket poke(io);
    poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), impl_->port), ec);
  }
  impl_->accept_thread.join();
  std::vector<std::thread> connections;
  {
    std::lock_guard lock(impl_->mutex);
    connections.swap(impl_->connections);
  }
  for (std::thread& t : connections) t.join();
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
}

std::string FakeLlmServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port);
}

std::vector<FakeRequest> FakeLlmServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

FakeResponse json_answer(int status, const nlohmann::json& body) {
  return {status, body.dump(), {}, 0};
}

FakeResponse openai_answer(const std::string& text, unsigned prompt_tokens,
                           unsigned completion_tokens, const std::string& model) {
  return json_answer(
      200, {{"id", "chatcmpl-test"},
            {"object", "chat.completion"},
            {"created", 1700000000},
            {"model", model},
            {"choices",
             {{{"index", 0},
               {"message", {{"role", "assistant"}, {"content", text}, {"refusal", nullptr}}},
               {"finish_reason", "stop"}}}},
            {"usage",
             {{"prompt_tokens", prompt_tokens},
              {"completion_tokens", completion_tokens},
              {"total_tokens", prompt_tokens + completion_tokens}}}});
}

FakeResponse anthropic_answer(const std::string& text, unsigned input_tokens,
                              unsigned output_tokens, const std::string& model,
                              const std::string& stop_reason) {
  return json_answer(
      200, {{"id", "msg_test"},
            {"type", "message"},
            {"role", "assistant"},
            {"model", model},
            {"content", {{{"type", "text"}, {"text", text}}}},
            {"stop_reason", stop_reason},
            {"stop_sequence", nullptr},
            {"usage", {{"input_tokens", input_tokens}, {"output_tokens", output_tokens}}}});
}

FakeResponse ollama_answer(const std::string& text, unsigned prompt_eval_count, unsigned eval_count,
                           const std::string& model) {
  return json_answer(200, {{"model", model},
                           {"created_at", "2024-01-01T00:00:00Z"},
                           {"message", {{"role", "assistant"}, {"content", text}}},
                           {"done", true},
                           {"done_reason", "stop"},
                           {"total_duration", 1000000},
                           {"prompt_eval_count", prompt_eval_count},
                           {"eval_count", eval_count}});
}

}  // namespace telinject::testing
