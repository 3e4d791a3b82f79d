#include "llm/pricing.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace telinject::llm {
namespace {

struct PriceEntry {
  std::string_view prefix;
  double input, output;  // per 1M tokens
};

// Public list prices per 1M tokens. The longest matching prefix wins, so dated snapshots
// ("gpt-4o-2024-08-06") take their family's price.
constexpr PriceEntry kPrices[] = {
    {"gpt-4o-mini", 0.15, 0.60},
    {"gpt-4o", 2.50, 10.00},
    {"gpt-4.1-nano", 0.10, 0.40},
    {"gpt-4.1-mini", 0.40, 1.60},
    {"gpt-4.1", 2.00, 8.00},
    {"gpt-4-turbo", 10.00, 30.00},
    {"gpt-4", 30.00, 60.00},
    {"gpt-3.5-turbo", 0.50, 1.50},
    {"o1-mini", 1.10, 4.40},
    {"o1", 15.00, 60.00},
    {"o3-mini", 1.10, 4.40},
    {"o4-mini", 1.10, 4.40},
    {"claude-3-5-haiku", 0.80, 4.00},
    {"claude-3-haiku", 0.25, 1.25},
    {"claude-3-5-sonnet", 3.00, 15.00},
    {"claude-3-7-sonnet", 3.00, 15.00},
    {"claude-sonnet-4", 3.00, 15.00},
    {"claude-3-opus", 15.00, 75.00},
    {"claude-opus-4", 15.00, 75.00},
};

struct WindowEntry {
  std::string_view prefix;
  uint64_t tokens;
};

constexpr WindowEntry kWindows[] = {
    {"gpt-4o", 128000},
    {"gpt-4.1", 1047576},
    {"gpt-4-turbo", 128000},
    {"gpt-4-32k", 32768},
    {"gpt-4", 8192},
    {"gpt-3.5-turbo", 16385},
    {"o1", 200000},
    {"o3", 200000},
    {"o4", 200000},
    {"claude", 200000},
    {"llama3.1", 131072},
    {"llama3.2", 131072},
    {"llama3.3", 131072},
    {"llama3", 8192},
    {"codellama", 16384},
    {"qwen2.5-coder", 32768},
    {"qwen3", 40960},
    {"mistral", 32768},
    {"deepseek-coder-v2", 163840},
    {"deepseek-coder", 16384},
    {"phi3", 4096},
    {"gemma2", 8192},
    {"gemma3", 131072},
};

template <class Entry>
const Entry* longest_prefix(const Entry* begin, const Entry* end, std::string_view model) {
  const Entry* best = nullptr;
  for (const Entry* e = begin; e != end; ++e)
    if (model.substr(0, e->prefix.size()) == e->prefix &&
        (!best || e->prefix.size() > best->prefix.size()))
      best = e;
  return best;
}

}  // namespace

Price price_of(std::string_view provider, std::string_view model) {
  if (provider == "ollama") return {0, 0, true};
  // "anthropic/claude-..." or "openai/gpt-..." as OpenAI-compatible routers name them.
  if (auto slash = model.rfind('/'); slash != std::string_view::npos)
    model.remove_prefix(slash + 1);
  if (const PriceEntry* e = longest_prefix(std::begin(kPrices), std::end(kPrices), model))
    return {e->input, e->output, true};
  Price highest{0, 0, false};
  for (const PriceEntry& e : kPrices) {
    highest.input_per_million = std::max(highest.input_per_million, e.input);
    highest.output_per_million = std::max(highest.output_per_million, e.output);
  }
  return highest;
}

double cost_usd(const Price& price, uint64_t input_tokens, uint64_t output_tokens) {
  return (static_cast<double>(input_tokens) * price.input_per_million +
          static_cast<double>(output_tokens) * price.output_per_million) /
         1e6;
}

uint64_t known_context_window(std::string_view model, uint64_t fallback) {
  if (auto slash = model.rfind('/'); slash != std::string_view::npos)
    model.remove_prefix(slash + 1);
  const WindowEntry* e = longest_prefix(std::begin(kWindows), std::end(kWindows), model);
  return e ? e->tokens : fallback;
}

uint64_t estimate_tokens(std::string_view text) {
  // Code tokenises at 3-4 bytes per token; 3 errs on the side of a smaller prompt.
  return (text.size() + 2) / 3 + 16;
}

}  // namespace telinject::llm
