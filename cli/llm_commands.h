// The LLM commands of the CLI: check-api, models, configure. Each returns the exit code.
#pragma once

#include <string>

#include "config.h"

namespace telinject::cli {

/// Connectivity and authentication of the configured provider: lists the models (auth), then
/// sends one tiny completion (the model answers); prints each step's latency. 0 when both work,
/// 1 when the provider fails, 2 when no usable LLM is configured.
int check_api(const Config& config, bool json);

/// The provider's models, recommended ones marked, with price and context window.
int list_models(const Config& config, bool json);

struct ConfigureAnswers {
  std::string provider, model, base_url, api_key;  // empty: ask (or take the default)
  std::string directory = ".";                     // where .env goes
};

/// The wizard: asks for what `given` leaves empty (one line each from stdin; a terminal gets
/// prompts on stderr and the key unechoed), then writes the LLM variables into DIR/.env,
/// keeping its other lines. Works without a terminal: flags and/or answers on stdin.
int configure(const ConfigureAnswers& given, const Config& current);

}  // namespace telinject::cli
