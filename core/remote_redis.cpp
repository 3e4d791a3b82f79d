// The Redis remote store: RESP 2 over a TCP socket (GET, SET, AUTH, SELECT are all it needs),
// a pool of connections so that worker threads ask at once, every read and write bounded by a
// deadline.
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "remote_cache.h"

namespace telinject {
namespace {

using Clock = std::chrono::steady_clock;

// Larger values are not ours (scripts are a few KiB): the connection is dropped.
constexpr size_t kMaxValueBytes = 64u << 20;

struct Reply {
  enum class Type { kStatus, kError, kInteger, kBulk, kNil, kOther } type = Type::kOther;
  std::string text;
};

class Connection {
 public:
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }

  Result<void> connect(const std::string& host, uint16_t port, int connect_ms) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    int looked = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
    if (looked != 0) return make_error(host + ": " + ::gai_strerror(looked));
    std::string why = "cannot connect";
    for (addrinfo* a = found; a; a = a->ai_next) {
      int fd =
          ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) continue;
      int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
      if (rc != 0 && errno == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        rc = ::poll(&p, 1, connect_ms);
        int error = 0;
        socklen_t length = sizeof error;
        if (rc == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0)
          rc = 0;
        else
          errno = rc == 0 ? ETIMEDOUT : error;
        if (rc != 0) rc = -1;
      }
      if (rc == 0) {
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fd_ = fd;
        break;
      }
      why = std::strerror(errno);
      ::close(fd);
    }
    ::freeaddrinfo(found);
    if (fd_ < 0)
      return make_error("connecting to " + host + ":" + std::to_string(port) + ": " + why);
    return {};
  }

  // Sends `bytes` whole before `deadline`.
  Result<void> send(std::string_view bytes, Clock::time_point deadline) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n > 0) {
        bytes.remove_prefix(static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        return make_error(std::string("sending: ") + std::strerror(errno));
      auto waited = wait(POLLOUT, deadline);
      if (!waited.ok()) return waited;
    }
    return {};
  }

  Result<Reply> read_reply(Clock::time_point deadline) {
    auto line = read_line(deadline);
    if (!line.ok()) return make_error(line.error());
    if (line->empty()) return make_error("an empty reply");
    Reply reply;
    std::string_view body = std::string_view(*line).substr(1);
    switch ((*line)[0]) {
      case '+':
        reply.type = Reply::Type::kStatus;
        reply.text = body;
        return reply;
      case '-':
        reply.type = Reply::Type::kError;
        reply.text = body;
        return reply;
      case ':':
        reply.type = Reply::Type::kInteger;
        reply.text = body;
        return reply;
      case '$': {
        long long length = 0;
        if (std::from_chars(body.data(), body.data() + body.size(), length).ptr !=
            body.data() + body.size())
          return make_error("a malformed reply");
        if (length < 0) {
          reply.type = Reply::Type::kNil;
          return reply;
        }
        if (static_cast<unsigned long long>(length) > kMaxValueBytes)
          return make_error("a value of " + std::to_string(length) + " bytes");
        auto bytes = read_exactly(static_cast<size_t>(length) + 2, deadline);
        if (!bytes.ok()) return make_error(bytes.error());
        if (bytes->compare(bytes->size() - 2, 2, "\r\n") != 0)
          return make_error("a malformed reply");
        bytes->resize(bytes->size() - 2);
        reply.type = Reply::Type::kBulk;
        reply.text = std::move(*bytes);
        return reply;
      }
      default:
        return make_error("a reply of an unexpected type");  // arrays: no command here sends one
    }
  }

 private:
  Result<void> wait(short events, Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return make_error("timed out");
    pollfd p{fd_, events, 0};
    int rc = ::poll(&p, 1, static_cast<int>(left.count()));
    if (rc == 0) return make_error("timed out");
    if (rc < 0 && errno != EINTR) return make_error(std::string("poll: ") + std::strerror(errno));
    return {};
  }

  // Reads more bytes into buffer_.
  Result<void> fill(Clock::time_point deadline) {
    char chunk[16384];
    for (;;) {
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n > 0) {
        buffer_.append(chunk, static_cast<size_t>(n));
        return {};
      }
      if (n == 0) return make_error("the server closed the connection");
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        return make_error(std::string("receiving: ") + std::strerror(errno));
      auto waited = wait(POLLIN, deadline);
      if (!waited.ok()) return waited;
    }
  }

  Result<std::string> read_line(Clock::time_point deadline) {
    for (;;) {
      size_t end = buffer_.find("\r\n", start_);
      if (end != std::string::npos) {
        std::string line = buffer_.substr(start_, end - start_);
        start_ = end + 2;
        compact();
        return line;
      }
      if (buffer_.size() - start_ > 4096) return make_error("a malformed reply");
      auto filled = fill(deadline);
      if (!filled.ok()) return make_error(filled.error());
    }
  }

  Result<std::string> read_exactly(size_t size, Clock::time_point deadline) {
    while (buffer_.size() - start_ < size) {
      auto filled = fill(deadline);
      if (!filled.ok()) return make_error(filled.error());
    }
    std::string bytes = buffer_.substr(start_, size);
    start_ += size;
    compact();
    return bytes;
  }

  void compact() {
    if (start_ == buffer_.size()) {
      buffer_.clear();
      start_ = 0;
    } else if (start_ > 65536) {
      buffer_.erase(0, start_);
      start_ = 0;
    }
  }

  int fd_ = -1;
  std::string buffer_;
  size_t start_ = 0;
};

void append_command(std::string& out, std::initializer_list<std::string_view> words) {
  out += "*" + std::to_string(words.size()) + "\r\n";
  for (std::string_view word : words) {
    out += "$" + std::to_string(word.size()) + "\r\n";
    out += word;
    out += "\r\n";
  }
}

class RedisStore final : public RemoteStore {
 public:
  RedisStore(const RemoteCacheSettings& settings, std::string host, uint16_t port, std::string user,
             std::string password, uint32_t database)
      : host_(std::move(host)),
        port_(port),
        user_(std::move(user)),
        password_(std::move(password)),
        database_(database),
        timeout_(std::chrono::milliseconds(static_cast<int64_t>(settings.timeout_seconds * 1000))),
        connect_ms_(static_cast<int>(
            std::min(settings.connect_timeout_seconds, settings.timeout_seconds) * 1000)) {}

  Result<std::optional<std::string>> get(const std::string& name) override {
    auto connection = borrow();
    if (!connection.ok()) return make_error(connection.error());
    auto deadline = Clock::now() + timeout_;
    std::string command;
    append_command(command, {"GET", name});
    auto sent = (*connection)->send(command, deadline);
    if (!sent.ok()) return make_error(sent.error());
    auto reply = (*connection)->read_reply(deadline);
    if (!reply.ok()) return make_error(reply.error());
    if (reply->type == Reply::Type::kError) return make_error("Redis: " + reply->text);
    give_back(std::move(*connection));
    if (reply->type == Reply::Type::kNil) return std::optional<std::string>();
    if (reply->type != Reply::Type::kBulk) return make_error("Redis: an unexpected reply to GET");
    return std::optional<std::string>(std::move(reply->text));
  }

  Result<void> put(const Entries& entries) override {
    if (entries.empty()) return {};
    auto connection = borrow();
    if (!connection.ok()) return make_error(connection.error());
    auto deadline = Clock::now() + timeout_;
    // One pipeline: every SET, then every reply.
    std::string commands;
    for (const auto& [name, value] : entries) append_command(commands, {"SET", name, value});
    auto sent = (*connection)->send(commands, deadline);
    if (!sent.ok()) return sent;
    for (size_t i = 0; i < entries.size(); ++i) {
      auto reply = (*connection)->read_reply(deadline);
      if (!reply.ok()) return make_error(reply.error());
      if (reply->type == Reply::Type::kError) return make_error("Redis: " + reply->text);
    }
    give_back(std::move(*connection));
    return {};
  }

 private:
  // An idle connection, or a new one, authenticated and on the right database.
  Result<std::unique_ptr<Connection>> borrow() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        auto connection = std::move(idle_.back());
        idle_.pop_back();
        return connection;
      }
    }
    auto connection = std::make_unique<Connection>();
    auto connected = connection->connect(host_, port_, connect_ms_);
    if (!connected.ok()) return make_error(connected.error());
    auto deadline = Clock::now() + timeout_;
    std::string hello;
    if (!password_.empty()) {
      if (user_.empty())
        append_command(hello, {"AUTH", password_});
      else
        append_command(hello, {"AUTH", user_, password_});
    }
    if (database_ != 0) append_command(hello, {"SELECT", std::to_string(database_)});
    if (hello.empty()) return connection;
    auto sent = connection->send(hello, deadline);
    if (!sent.ok()) return make_error(sent.error());
    for (int i = (!password_.empty()) + (database_ != 0); i > 0; --i) {
      auto reply = connection->read_reply(deadline);
      if (!reply.ok()) return make_error(reply.error());
      // Redis's messages name no secret ("WRONGPASS invalid username-password pair").
      if (reply->type == Reply::Type::kError) return make_error("Redis: " + reply->text);
    }
    return connection;
  }

  void give_back(std::unique_ptr<Connection> connection) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }

  const std::string host_;
  const uint16_t port_;
  const std::string user_, password_;
  const uint32_t database_;
  const std::chrono::milliseconds timeout_;
  const int connect_ms_;
  std::mutex mutex_;  // guards idle_
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace

std::unique_ptr<RemoteStore> open_redis_store(const RemoteCacheSettings& settings, std::string host,
                                              uint16_t port, std::string user, std::string password,
                                              uint32_t database) {
  return std::make_unique<RedisStore>(settings, std::move(host), port, std::move(user),
                                      std::move(password), database);
}

}  // namespace telinject
