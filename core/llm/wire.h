// Shared by the provider implementations: one JSON exchange with an LLM API and its error
// sentences. Internal to core/llm.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "llm/http.h"
#include "llm/provider.h"

namespace telinject::llm {

struct Exchange {
  nlohmann::json body;  // the parsed answer
  double latency_seconds = 0;
  TransportFailure failure = TransportFailure::kNone;
};

/// Sends `payload` (or a GET when it is null) to `url` with `headers`, retrying as the options
/// say, and parses the answer. Errors name `provider` and the status, explain 401/403/404, and
/// never contain `options.api_key`. `failure` tells a pool whether the endpoint is unreachable.
Result<Exchange> exchange_json(const ProviderOptions& options, std::string_view provider,
                               const std::string& url,
                               std::vector<std::pair<std::string, std::string>> headers,
                               const nlohmann::json& payload, TransportFailure* failure = nullptr);

/// "base" without trailing slashes and without a final "/v1" (we add the API's own path).
std::string strip_api_suffix(std::string base);

}  // namespace telinject::llm
