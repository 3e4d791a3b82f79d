// The client's `llm` settings group (initializationOptions, didChangeConfiguration,
// workspace/configuration): enabled, provider, model, baseUrl, budget, timeout, over what the
// project gave (.telinject.toml [llm], .env, the environment). The API key never comes from
// here: it is read from the environment or the workspace's `.env` only.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config.h"

namespace telinject::server {

/// Applies `options["llm"]` (an object; anything else is ignored) over `llm`. Returns warnings:
/// a key in the settings (`apiKey`, or any name holding "key") is refused and ignored, as are
/// values of the wrong type or out of range. Never touches `llm.api_key`. Pure.
std::vector<std::string> apply_llm_settings(LlmSettings& llm, const nlohmann::json& options);

}  // namespace telinject::server
