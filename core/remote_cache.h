// RemoteCache: a shared script cache on a server CI machines already run — Redis
// (redis://[user[:password]@]host[:port][/db], spoken in RESP over a socket) or any HTTP server
// that answers GET and PUT per key (http(s)://host/prefix: nginx with WebDAV, the caches
// sccache and Bazel use). ScriptCache asks it on a local miss and sends it what it stores.
//
// Entries are named by kind and SHA-256 key, `telinject/v<schema>/<kind>/<key>` (the Redis key,
// or the path below the HTTP URL); their bytes are what the local store keeps, and ScriptCache
// verifies them as it verifies a local row: the server is trusted for nothing.
//
// The remote is never required: the first failure (refused, timeout, an HTTP status other than
// 200/404 on GET or 2xx on PUT, a Redis error) is one warning, and the rest of the run goes on
// with the local cache alone. Every message shows the URL masked (masked_url); credentials are
// never printed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "config.h"
#include "result.h"

namespace telinject {

/// One server's GET and PUT. Thread-safe; every call bounded by the settings' timeouts.
class RemoteStore {
 public:
  using Entries = std::vector<std::pair<std::string, std::string>>;  // name, value
  virtual ~RemoteStore() = default;
  /// The value stored under `name`, nothing when absent, an error when the server could not
  /// answer.
  virtual Result<std::optional<std::string>> get(const std::string& name) = 0;
  /// Stores every entry (replacing any); the first error.
  virtual Result<void> put(const Entries& entries) = 0;
};

/// Makes the HTTP store (remote_http/remote_http.h: its own target, the one linking libcurl, so
/// that core does not).
using HttpStoreFactory =
    std::function<std::unique_ptr<RemoteStore>(const RemoteCacheSettings& settings)>;

/// The store `settings.url` names (no connection is made yet); an error for a URL that is not
/// redis://, http:// or https://, or is malformed, and for http(s) without `http`. Messages
/// show the URL masked.
Result<std::unique_ptr<RemoteStore>> open_remote_store(const RemoteCacheSettings& settings,
                                                       const HttpStoreFactory& http = {});
std::unique_ptr<RemoteStore> open_redis_store(const RemoteCacheSettings& settings, std::string host,
                                              uint16_t port, std::string user, std::string password,
                                              uint32_t database);

/// `url` with its password (or, without one, its whole user part) replaced by "***".
std::string masked_url(std::string_view url);
/// Whether `url` carries a password (or a token as its user part). Such a URL may come only
/// from the environment (TELINJECT_REMOTE_CACHE): flags and files end up in logs and commits.
bool url_has_credentials(std::string_view url);

/// What a run did with the remote.
struct RemoteCounts {
  uint64_t hits = 0;     // entries read and verified
  uint64_t misses = 0;   // asked and absent (or the remote was down)
  uint64_t refused = 0;  // read but failing verification: never used, replaced by a PUT
  uint64_t stored = 0;   // entries sent
};

/// The layer ScriptCache uses. Thread-safe. Writes go behind: `put_later` queues and a thread
/// sends batches, so workers never wait for a PUT; `drain` waits for the queue.
class RemoteCache {
 public:
  using WarningHandler = std::function<void(const std::string&)>;
  RemoteCache(std::unique_ptr<RemoteStore> store, std::string shown_url);
  ~RemoteCache();
  RemoteCache(const RemoteCache&) = delete;
  RemoteCache& operator=(const RemoteCache&) = delete;

  /// Where the one warning goes (the remote is down); default: a line on stderr.
  void set_warning_handler(WarningHandler handler);
  const std::string& shown_url() const { return shown_url_; }

  /// The bytes stored for (`kind`, `key`), or nothing (absent, or the remote is down). Counts a
  /// miss when nothing; the caller counts the hit or the refusal once it has verified them.
  std::optional<std::string> get(std::string_view kind, const std::string& key);
  void count_hit();
  void count_refused();
  /// Queues (`kind`, `key`, `value`) for sending; dropped when the remote is down.
  void put_later(std::string_view kind, const std::string& key, std::string value);
  /// Waits until everything queued is sent or the remote is down.
  void drain();
  /// Counts since the last call (for the store's lifetime counters), and over the whole run.
  RemoteCounts take_counts();
  RemoteCounts run_counts() const;
  bool down() const { return down_; }

 private:
  void fail(const std::string& why);
  void sender_loop();
  std::string name_of(std::string_view kind, const std::string& key) const;

  std::unique_ptr<RemoteStore> store_;
  std::string shown_url_;
  std::atomic<bool> down_{false};
  mutable std::mutex mutex_;  // guards counts, the warning and the queue
  RemoteCounts since_flush_, run_;
  bool warned_ = false;
  WarningHandler warning_handler_;
  std::condition_variable queue_changed_;
  RemoteStore::Entries queue_;
  bool sending_ = false;
  bool stopping_ = false;
  std::thread sender_;
};

}  // namespace telinject
