// What `telinject models` and `telinject configure` say about a model: price, context window
// and whether we recommend it for instrumentation work.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace telinject::llm {

struct ModelAdvice {
  bool recommended = false;
  std::string note;  // "$0.15 / $0.60 per 1M tokens, 128000-token context; cheap and good at code"
};

ModelAdvice advise_model(std::string_view provider, std::string_view model);

/// The models we recommend for `provider`, best first (the wizard's suggestions).
std::vector<std::string> recommended_models(std::string_view provider);

}  // namespace telinject::llm
