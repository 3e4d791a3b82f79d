#include "transport.h"

#include <unistd.h>

#include <cerrno>

namespace telinject::server {

StdioTransport::StdioTransport(boost::asio::io_context& io, int input_fd, int output_fd,
                               std::function<void(std::string)> on_message,
                               std::function<void(std::string_view)> on_error,
                               std::function<void()> on_close)
    : input_(io, ::dup(input_fd)),
      output_fd_(output_fd),
      on_message_(std::move(on_message)),
      on_error_(std::move(on_error)),
      on_close_(std::move(on_close)) {}

void StdioTransport::start() { read_more(); }

void StdioTransport::read_more() {
  input_.async_read_some(boost::asio::buffer(buffer_),
                         [this](boost::system::error_code ec, size_t length) {
                           if (ec) {
                             on_close_();
                             return;
                           }
                           reader_.feed(std::string_view(buffer_.data(), length));
                           for (;;) {
                             protocol::ReadResult result = reader_.next();
                             if (result.kind == protocol::ReadResult::Kind::kMessage) {
                               on_message_(std::move(result.text));
                             } else if (result.kind == protocol::ReadResult::Kind::kError) {
                               on_error_(result.text);
                             } else {
                               break;
                             }
                           }
                           read_more();
                         });
}

void StdioTransport::send(std::string_view body) {
  std::string framed = protocol::frame(body);
  std::lock_guard lock(output_mutex_);
  size_t done = 0;
  while (done < framed.size()) {
    ssize_t n = ::write(output_fd_, framed.data() + done, framed.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the client is gone; input EOF ends the session
    done += static_cast<size_t>(n);
  }
}

}  // namespace telinject::server
