// The HTTP remote store: GET and PUT of <url>/<name>, as sccache's WebDAV and Bazel's HTTP
// caches use them (200: the value, 404: absent, PUT answered 2xx). libcurl, one easy handle per
// thread at a time from a pool, so that connections are kept alive between requests.
#include "remote_http.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

namespace telinject {
namespace {

// Larger bodies are not ours (scripts are a few KiB): the transfer is stopped.
constexpr size_t kMaxValueBytes = 64u << 20;

size_t append_body(char* data, size_t size, size_t count, void* target) {
  auto* body = static_cast<std::string*>(target);
  if (body->size() + size * count > kMaxValueBytes) return 0;  // curl fails the transfer
  body->append(data, size * count);
  return size * count;
}

size_t discard_body(char*, size_t size, size_t count, void*) { return size * count; }

struct Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl) curl_easy_cleanup(curl);
  }
};

class HttpStore final : public RemoteStore {
 public:
  explicit HttpStore(const RemoteCacheSettings& settings)
      : base_(settings.url),
        password_(settings.password),
        timeout_ms_(static_cast<long>(std::max(1.0, settings.timeout_seconds * 1000))),
        connect_ms_(static_cast<long>(std::max(
            1.0, std::min(settings.connect_timeout_seconds, settings.timeout_seconds) * 1000))) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
  }

  Result<std::optional<std::string>> get(const std::string& name) override {
    auto handle = borrow();
    if (!handle) return make_error("cannot start an HTTP client");
    std::string body;
    CURL* curl = handle->curl;
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    long status = 0;
    auto done = perform(curl, name, &status);
    if (!done.ok()) return make_error(done.error());
    give_back(std::move(handle));
    if (status == 404) return std::optional<std::string>();
    if (status != 200) return make_error("GET answered HTTP " + std::to_string(status));
    return std::optional<std::string>(std::move(body));
  }

  Result<void> put(const Entries& entries) override {
    auto handle = borrow();
    if (!handle) return make_error("cannot start an HTTP client");
    CURL* curl = handle->curl;
    curl_slist* headers = curl_slist_append(nullptr, "Expect:");
    headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
    Result<void> result;
    for (const auto& [name, value] : entries) {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PUT");
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, value.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(value.size()));
      curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
      curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_body);
      long status = 0;
      auto done = perform(curl, name, &status);
      if (done.ok() && (status < 200 || status > 299))
        done = make_error("PUT answered HTTP " + std::to_string(status));
      if (!done.ok()) {
        result = done;
        break;
      }
    }
    // The handle goes back clean: no body, headers or method of this PUT.
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, nullptr);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
    curl_slist_free_all(headers);
    if (result.ok()) give_back(std::move(handle));
    return result;
  }

 private:
  Result<void> perform(CURL* curl, const std::string& name, long* status) {
    std::string url = base_ + "/" + name;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    CURLcode code = curl_easy_perform(curl);
    // curl's own words name no URL and no credentials.
    if (code != CURLE_OK) return make_error(curl_easy_strerror(code));
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    return {};
  }

  std::unique_ptr<Handle> borrow() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        auto handle = std::move(idle_.back());
        idle_.pop_back();
        return handle;
      }
    }
    auto handle = std::make_unique<Handle>();
    handle->curl = curl_easy_init();
    if (!handle->curl) return nullptr;
    CURL* curl = handle->curl;
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // worker threads; timeouts without SIGALRM
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms_);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms_);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    if (!password_.empty()) curl_easy_setopt(curl, CURLOPT_PASSWORD, password_.c_str());
    return handle;
  }

  void give_back(std::unique_ptr<Handle> handle) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(handle));
  }

  std::string base_;
  const std::string password_;
  const long timeout_ms_, connect_ms_;
  std::mutex mutex_;  // guards idle_
  std::vector<std::unique_ptr<Handle>> idle_;
};

}  // namespace

std::unique_ptr<RemoteStore> open_http_store(const RemoteCacheSettings& settings) {
  return std::make_unique<HttpStore>(settings);
}

}  // namespace telinject
