// StdioTransport: LSP framing over stdin/stdout on Boost.Asio. Knows framing, not methods.
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "framing.h"

namespace telinject::server {

class StdioTransport {
 public:
  /// `on_message` gets every complete body, on the io_context's thread. `on_error` gets framing
  /// problems (the reader resynchronises and goes on). `on_close` runs once when input ends.
  StdioTransport(boost::asio::io_context& io, int input_fd, int output_fd,
                 std::function<void(std::string body)> on_message,
                 std::function<void(std::string_view problem)> on_error,
                 std::function<void()> on_close);

  /// Starts reading; returns at once.
  void start();
  /// Writes one framed message. Thread-safe: writes are serialised and each is whole.
  void send(std::string_view body);

 private:
  void read_more();

  boost::asio::posix::stream_descriptor input_;
  int output_fd_;
  std::mutex output_mutex_;
  protocol::MessageReader reader_;
  std::array<char, 65536> buffer_{};
  std::function<void(std::string)> on_message_;
  std::function<void(std::string_view)> on_error_;
  std::function<void()> on_close_;
};

}  // namespace telinject::server
