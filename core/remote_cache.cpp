#include "remote_cache.h"

#include <charconv>
#include <cstdio>

#include "log.h"
#include "script_cache.h"

namespace telinject {
namespace {

// A batch sent in one go (one Redis pipeline; HTTP sends them one by one on one connection).
constexpr size_t kBatchSize = 256;

struct UrlParts {
  std::string scheme;    // "redis", "http", "https"
  std::string userinfo;  // as written, before '@'
  std::string rest;      // host[:port][/path]
};

std::optional<UrlParts> split_url(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return std::nullopt;
  UrlParts parts;
  parts.scheme = std::string(url.substr(0, scheme_end));
  std::string_view after = url.substr(scheme_end + 3);
  // The user part ends at the last '@' before the path.
  size_t path_start = after.find('/');
  std::string_view authority = after.substr(0, path_start);
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    parts.userinfo = std::string(authority.substr(0, at));
    after.remove_prefix(at + 1);
  }
  parts.rest = std::string(after);
  return parts;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned value = 0;
    if (text[i] == '%' && i + 2 < text.size() &&
        std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr ==
            text.data() + i + 3) {
      out.push_back(static_cast<char>(value));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

Result<std::unique_ptr<RemoteStore>> open_redis(const RemoteCacheSettings& settings,
                                                const UrlParts& parts) {
  const std::string shown = masked_url(settings.url);
  std::string user, password;
  if (!parts.userinfo.empty()) {
    size_t colon = parts.userinfo.find(':');
    user = percent_decode(parts.userinfo.substr(0, colon));
    if (colon != std::string::npos) password = percent_decode(parts.userinfo.substr(colon + 1));
  }
  if (!settings.password.empty()) password = settings.password;
  std::string_view rest = parts.rest;
  uint32_t database = 0;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty() &&
        (std::from_chars(db.data(), db.data() + db.size(), database).ptr != db.data() + db.size()))
      return make_error("remote cache " + shown + ": the database after '/' must be a number");
    rest = rest.substr(0, slash);
  }
  std::string host;
  std::string_view port_text;
  if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
    size_t close = rest.find(']');
    if (close == std::string_view::npos)
      return make_error("remote cache " + shown + ": unclosed '[' in the host");
    host = std::string(rest.substr(1, close - 1));
    if (close + 1 < rest.size() && rest[close + 1] == ':') port_text = rest.substr(close + 2);
  } else {
    size_t colon = rest.rfind(':');
    host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port_text = rest.substr(colon + 1);
  }
  uint32_t port = 6379;
  if (!port_text.empty() &&
      (std::from_chars(port_text.data(), port_text.data() + port_text.size(), port).ptr !=
           port_text.data() + port_text.size() ||
       port == 0 || port > 65535))
    return make_error("remote cache " + shown + ": the port must be a number from 1 to 65535");
  if (host.empty()) return make_error("remote cache " + shown + ": no host");
  return open_redis_store(settings, host, static_cast<uint16_t>(port), user, password, database);
}

}  // namespace

std::string masked_url(std::string_view url) {
  auto parts = split_url(url);
  if (!parts || parts->userinfo.empty()) return std::string(url);
  size_t colon = parts->userinfo.find(':');
  std::string user = colon == std::string::npos ? "***" : parts->userinfo.substr(0, colon) + ":***";
  return parts->scheme + "://" + user + "@" + parts->rest;
}

bool url_has_credentials(std::string_view url) {
  auto parts = split_url(url);
  if (!parts || parts->userinfo.empty()) return false;
  size_t colon = parts->userinfo.find(':');
  // A user part alone is a user name for Redis, and may well be a token for HTTP.
  return colon != std::string::npos || parts->scheme != "redis";
}

Result<std::unique_ptr<RemoteStore>> open_remote_store(const RemoteCacheSettings& settings,
                                                       const HttpStoreFactory& http) {
  const std::string shown = masked_url(settings.url);
  auto parts = split_url(settings.url);
  if (!parts)
    return make_error("remote cache " + shown +
                      ": expected redis://host[:port][/db] or http(s)://host[:port]/path");
  if (parts->scheme == "redis") return open_redis(settings, *parts);
  if (parts->scheme == "http" || parts->scheme == "https") {
    if (parts->rest.empty() || parts->rest.front() == '/')
      return make_error("remote cache " + shown + ": no host");
    if (!http) return make_error("remote cache " + shown + ": no HTTP client in this program");
    return http(settings);
  }
  return make_error("remote cache " + shown + ": unsupported scheme '" + parts->scheme +
                    "' (redis, http or https)");
}

RemoteCache::RemoteCache(std::unique_ptr<RemoteStore> store, std::string shown_url)
    : store_(std::move(store)), shown_url_(std::move(shown_url)) {}

RemoteCache::~RemoteCache() {
  drain();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queue_changed_.notify_all();
  if (sender_.joinable()) sender_.join();
}

void RemoteCache::set_warning_handler(WarningHandler handler) {
  std::lock_guard lock(mutex_);
  warning_handler_ = std::move(handler);
}

std::string RemoteCache::name_of(std::string_view kind, const std::string& key) const {
  return "telinject/v" + std::to_string(kCacheSchemaVersion) + "/" + std::string(kind) + "/" + key;
}

void RemoteCache::fail(const std::string& why) {
  down_ = true;
  WarningHandler handler;
  {
    std::lock_guard lock(mutex_);
    queue_.clear();
    queue_changed_.notify_all();
    if (warned_) return;
    warned_ = true;
    handler = warning_handler_;
  }
  std::string message = "remote cache " + shown_url_ +
                        " not used for the rest of this run: " + why +
                        " (the local cache goes on alone)";
  if (handler)
    handler(message);
  else
    logger().warn("{}", message);
}

std::optional<std::string> RemoteCache::get(std::string_view kind, const std::string& key) {
  std::optional<std::string> value;
  if (!down_) {
    auto answer = store_->get(name_of(kind, key));
    if (answer.ok())
      value = std::move(*answer);
    else
      fail(answer.error());
  }
  if (!value) {
    std::lock_guard lock(mutex_);
    ++since_flush_.misses;
    ++run_.misses;
  }
  return value;
}

void RemoteCache::count_hit() {
  std::lock_guard lock(mutex_);
  ++since_flush_.hits;
  ++run_.hits;
}

void RemoteCache::count_refused() {
  std::lock_guard lock(mutex_);
  ++since_flush_.refused;
  ++run_.refused;
}

void RemoteCache::put_later(std::string_view kind, const std::string& key, std::string value) {
  if (down_) return;
  {
    std::lock_guard lock(mutex_);
    queue_.emplace_back(name_of(kind, key), std::move(value));
    if (!sender_.joinable()) sender_ = std::thread([this] { sender_loop(); });
  }
  queue_changed_.notify_all();
}

void RemoteCache::sender_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    queue_changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping
    RemoteStore::Entries batch;
    size_t take = std::min(queue_.size(), kBatchSize);
    batch.assign(std::make_move_iterator(queue_.begin()),
                 std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(take)));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
    sending_ = true;
    lock.unlock();
    auto sent = down_ ? Result<void>() : store_->put(batch);
    if (!sent.ok()) fail(sent.error());
    lock.lock();
    sending_ = false;
    if (sent.ok() && !down_) {
      since_flush_.stored += batch.size();
      run_.stored += batch.size();
    }
    queue_changed_.notify_all();
  }
}

void RemoteCache::drain() {
  std::unique_lock lock(mutex_);
  queue_changed_.wait(lock, [this] { return (queue_.empty() || down_) && !sending_; });
}

RemoteCounts RemoteCache::take_counts() {
  std::lock_guard lock(mutex_);
  RemoteCounts counts = since_flush_;
  since_flush_ = {};
  return counts;
}

RemoteCounts RemoteCache::run_counts() const {
  std::lock_guard lock(mutex_);
  return run_;
}

}  // namespace telinject
