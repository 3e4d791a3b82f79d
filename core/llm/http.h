// HTTP for the LLM clients: one request over libcurl, and a retry loop with backoff that honours
// Retry-After on 429 and 5xx. Knows nothing of any provider's JSON.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "result.h"

namespace telinject::llm {

struct HttpRequest {
  std::string method = "POST";  // "GET" or "POST"
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  double timeout_seconds = 120;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  /// Seconds from a Retry-After header (delta-seconds or HTTP date), when present.
  std::optional<double> retry_after_seconds;
};

/// Why a request got no HTTP answer at all.
enum class TransportFailure { kNone, kTimeout, kConnect, kOther };

/// Sends one request. Implementations are thread-safe.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  /// The answer, whatever its status; an error only when no answer came (`failure` says why).
  virtual Result<HttpResponse> send(const HttpRequest& request, TransportFailure* failure) = 0;
};

/// The libcurl transport, shared by all clients of the process.
HttpTransport& curl_transport();

struct RetryPolicy {
  uint32_t max_attempts = 4;  // first try included
  double initial_backoff_seconds = 1;
  double max_backoff_seconds = 60;       // also caps Retry-After
  bool retry_transport_failures = true;  // timeouts, refused connections
  /// How to wait between attempts; tests record instead of sleeping.
  std::function<void(double seconds)> sleep;
};

/// Sends `request`, retrying 429 and 5xx answers and (when the policy says so) transport
/// failures. Waits Retry-After when the server gives one, else an exponential backoff. Returns
/// the last answer (any status) or the last transport error; `failure` as for send().
Result<HttpResponse> send_with_retries(HttpTransport& transport, const HttpRequest& request,
                                       const RetryPolicy& policy, TransportFailure* failure);

/// `text` with every occurrence of `secret` replaced by "[redacted]" (nothing when empty).
std::string redact_secret(std::string text, const std::string& secret);

/// `text` with the user information of every URL in it ("http://user:password@host") replaced
/// by "[redacted]": for anything shown or logged that holds a base URL.
std::string redact_url_credentials(std::string text);

/// A short, single-line excerpt of an answer body for error messages.
std::string body_excerpt(const std::string& body, size_t limit = 300);

}  // namespace telinject::llm
