// ClientLog: the spdlog sink that mirrors the log (core's and the server's) to the client's log
// window as window/logMessage, at the level the client's `logLevel` setting allows.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <functional>
#include <mutex>
#include <string>

#include "lsp_lifecycle.h"

namespace telinject::server {

/// window/logMessage's type for a log level: errors 1, warnings 2, info 3, debug and trace 4.
lsp::MessageType message_type(spdlog::level::level_enum level);

class ClientLog : public spdlog::sinks::base_sink<std::mutex> {
 public:
  using Forward = std::function<void(lsp::MessageType, std::string)>;
  explicit ClientLog(Forward forward) : forward_(std::move(forward)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    forward_(message_type(message.level),
             std::string(message.payload.data(), message.payload.size()));
  }
  void flush_() override {}

 private:
  Forward forward_;
};

}  // namespace telinject::server
