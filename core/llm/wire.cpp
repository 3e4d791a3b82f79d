#include "llm/wire.h"

#include <chrono>

namespace telinject::llm {

std::string strip_api_suffix(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.size() >= 3 && base.compare(base.size() - 3, 3, "/v1") == 0)
    base.resize(base.size() - 3);
  return base;
}

Result<Exchange> exchange_json(const ProviderOptions& options, std::string_view provider,
                               const std::string& url,
                               std::vector<std::pair<std::string, std::string>> headers,
                               const nlohmann::json& payload, TransportFailure* failure) {
  HttpRequest request;
  request.url = url;
  request.timeout_seconds = options.timeout_seconds;
  request.headers = std::move(headers);
  if (payload.is_null()) {
    request.method = "GET";
  } else {
    request.body = payload.dump();
    request.headers.emplace_back("Content-Type", "application/json");
  }
  HttpTransport& transport = options.transport ? *options.transport : curl_transport();
  const std::string who = std::string(provider) + " at " + redact_url_credentials(url);
  auto started = std::chrono::steady_clock::now();
  TransportFailure why = TransportFailure::kNone;
  auto answer = send_with_retries(transport, request, options.retry, &why);
  if (failure) *failure = why;
  double latency =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto fail = [&](const std::string& message) {
    return make_error(redact_url_credentials(redact_secret(message, options.api_key)));
  };
  if (!answer.ok()) return fail(who + ": " + answer.error());
  const HttpResponse& response = *answer;
  if (response.status == 401 || response.status == 403)
    return fail(who + ": authentication failed (HTTP " + std::to_string(response.status) +
                "); check the API key (" +
                (provider == "anthropic" ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY") +
                " or --api-key)");
  if (response.status == 404)
    return fail(who + ": not found (HTTP 404); check the model name ('" + options.model +
                "') and the base URL: " + body_excerpt(response.body));
  if (response.status == 429)
    return fail(who + ": rate limited (HTTP 429) after " +
                std::to_string(std::max<uint32_t>(1, options.retry.max_attempts)) +
                " attempts: " + body_excerpt(response.body));
  if (response.status < 200 || response.status > 299)
    return fail(who + ": HTTP " + std::to_string(response.status) + ": " +
                body_excerpt(response.body));
  Exchange out;
  out.latency_seconds = latency;
  out.failure = why;
  out.body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (out.body.is_discarded())
    return fail(who + ": the answer is not valid JSON (truncated or malformed, " +
                std::to_string(response.body.size()) +
                " bytes): " + body_excerpt(response.body, 120));
  if (!out.body.is_object())
    return fail(who + ": the answer is not a JSON object: " + body_excerpt(response.body, 120));
  return out;
}

}  // namespace telinject::llm
