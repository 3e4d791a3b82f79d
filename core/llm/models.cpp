#include "llm/models.h"

#include <cstdio>

#include "llm/pricing.h"

namespace telinject::llm {
namespace {

struct Recommendation {
  std::string_view provider;
  std::string_view prefix;
  std::string_view why;
};

// Instrumentation answers are small, structured edits: a cheap model that follows formats
// well is enough; the larger ones help with languages telinject has no grammar for.
constexpr Recommendation kRecommended[] = {
    {"openai", "gpt-4o-mini", "cheap and reliable with structured answers"},
    {"openai", "gpt-4.1-mini", "cheap, long context"},
    {"openai", "gpt-4o", "stronger, for languages without a grammar"},
    {"anthropic", "claude-3-5-haiku", "cheap and fast"},
    {"anthropic", "claude-sonnet-4", "strong at code"},
    {"anthropic", "claude-3-5-sonnet", "strong at code"},
    {"ollama", "qwen2.5-coder", "local code model, free"},
    {"ollama", "deepseek-coder", "local code model, free"},
    {"ollama", "codellama", "local code model, free"},
    {"ollama", "llama3.1", "local general model with a long context, free"},
};

std::string_view base_name(std::string_view model) {
  if (auto slash = model.rfind('/'); slash != std::string_view::npos)
    model.remove_prefix(slash + 1);
  return model;
}

}  // namespace

ModelAdvice advise_model(std::string_view provider, std::string_view model) {
  ModelAdvice advice;
  Price price = price_of(provider, model);
  char text[160];
  if (provider == "ollama")
    std::snprintf(text, sizeof text, "free (local)");
  else if (price.known)
    std::snprintf(text, sizeof text, "$%.2f / $%.2f per 1M tokens in/out", price.input_per_million,
                  price.output_per_million);
  else
    std::snprintf(text, sizeof text, "price unknown (budgeted at $%.2f / $%.2f per 1M)",
                  price.input_per_million, price.output_per_million);
  advice.note = text;
  uint64_t window = known_context_window(model, 0);
  if (window) advice.note += ", " + std::to_string(window) + "-token context";
  std::string_view name = base_name(model);
  for (const Recommendation& r : kRecommended) {
    if (r.provider == provider && name.substr(0, r.prefix.size()) == r.prefix) {
      advice.recommended = true;
      advice.note += "; ";
      advice.note += r.why;
      break;
    }
  }
  return advice;
}

std::vector<std::string> recommended_models(std::string_view provider) {
  std::vector<std::string> out;
  for (const Recommendation& r : kRecommended)
    if (r.provider == provider) out.emplace_back(r.prefix);
  return out;
}

}  // namespace telinject::llm
