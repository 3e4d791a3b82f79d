#include "llm/http.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace telinject::llm {
namespace {

size_t append_body(char* data, size_t size, size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

// Header lines arrive one at a time; only Retry-After is kept.
size_t read_header(char* data, size_t size, size_t count, void* target) {
  std::string line(data, size * count);
  auto* retry_after = static_cast<std::optional<double>*>(target);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    std::string head = line.substr(0, kName.size());
    std::transform(head.begin(), head.end(), head.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (head == kName) {
      std::string value = line.substr(kName.size());
      value.erase(0, value.find_first_not_of(" \t"));
      value.erase(value.find_last_not_of(" \t\r\n") + 1);
      char* end = nullptr;
      double seconds = std::strtod(value.c_str(), &end);
      if (!value.empty() && end == value.c_str() + value.size() && seconds >= 0) {
        *retry_after = seconds;
      } else {
        time_t when = curl_getdate(value.c_str(), nullptr);
        if (when >= 0) *retry_after = std::max(0.0, std::difftime(when, std::time(nullptr)));
      }
    }
  }
  return size * count;
}

class CurlTransport : public HttpTransport {
 public:
  CurlTransport() { curl_global_init(CURL_GLOBAL_DEFAULT); }

  Result<HttpResponse> send(const HttpRequest& request, TransportFailure* failure) override {
    if (failure) *failure = TransportFailure::kNone;
    CURL* curl = curl_easy_init();
    if (!curl) return fail(failure, TransportFailure::kOther, "cannot start an HTTP client");
    HttpResponse response;
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers)
      headers = curl_slist_append(headers, (name + ": " + value).c_str());
    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // worker threads; timeouts without SIGALRM
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(std::max(1.0, request.timeout_seconds * 1000)));
    curl_easy_setopt(
        curl, CURLOPT_CONNECTTIMEOUT_MS,
        static_cast<long>(std::min(10000.0, std::max(1.0, request.timeout_seconds * 1000))));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, read_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.retry_after_seconds);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    if (request.method == "POST") {
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
    CURLcode code = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (code == CURLE_OPERATION_TIMEDOUT) {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%g", request.timeout_seconds);
      return fail(failure, TransportFailure::kTimeout,
                  std::string("no answer within ") + seconds + " s (LLM_TIMEOUT)");
    }
    if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST)
      return fail(failure, TransportFailure::kConnect,
                  std::string("cannot connect: ") + curl_easy_strerror(code));
    if (code != CURLE_OK) return fail(failure, TransportFailure::kOther, curl_easy_strerror(code));
    return response;
  }

 private:
  static Error fail(TransportFailure* failure, TransportFailure kind, std::string message) {
    if (failure) *failure = kind;
    return make_error(std::move(message));
  }
};

bool retryable_status(long status) { return status == 429 || (status >= 500 && status <= 599); }

}  // namespace

HttpTransport& curl_transport() {
  static CurlTransport transport;
  return transport;
}

Result<HttpResponse> send_with_retries(HttpTransport& transport, const HttpRequest& request,
                                       const RetryPolicy& policy, TransportFailure* failure) {
  uint32_t attempts = std::max<uint32_t>(1, policy.max_attempts);
  for (uint32_t attempt = 1;; ++attempt) {
    TransportFailure why = TransportFailure::kNone;
    auto answer = transport.send(request, &why);
    if (failure) *failure = why;
    bool retry = answer.ok() ? retryable_status(answer->status) : policy.retry_transport_failures;
    if (!retry || attempt >= attempts) return answer;
    double wait = std::min(policy.max_backoff_seconds,
                           policy.initial_backoff_seconds * std::pow(2.0, attempt - 1));
    if (answer.ok() && answer->retry_after_seconds)
      wait = std::min(policy.max_backoff_seconds, *answer->retry_after_seconds);
    if (policy.sleep)
      policy.sleep(wait);
    else
      std::this_thread::sleep_for(std::chrono::duration<double>(wait));
  }
}

std::string redact_secret(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at))
    text.replace(at, secret.size(), "[redacted]");
  return text;
}

std::string redact_url_credentials(std::string text) {
  constexpr std::string_view kAuthorityEnd = "/?#@ \t\r\n\"'<>,";
  for (size_t scheme = text.find("://"); scheme != std::string::npos;
       scheme = text.find("://", scheme + 3)) {
    size_t begin = scheme + 3;
    // The authority ends at the path; its user information, if any, at its last '@'.
    size_t end = begin, at = std::string::npos;
    while (end < text.size()) {
      size_t stop = text.find_first_of(kAuthorityEnd, end);
      if (stop == std::string::npos || text[stop] != '@') {
        end = stop == std::string::npos ? text.size() : stop;
        break;
      }
      at = stop;
      end = stop + 1;
    }
    if (at == std::string::npos) continue;
    text.replace(begin, at - begin, "[redacted]");
  }
  return text;
}

std::string body_excerpt(const std::string& body, size_t limit) {
  std::string out;
  for (char c : body.substr(0, limit)) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (body.size() > limit) out += "...";
  return out;
}

}  // namespace telinject::llm
