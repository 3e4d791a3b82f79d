// Prices and context windows per model: the tables telinject knows, matched by the longest
// model-name prefix.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace telinject::llm {

struct Price {
  double input_per_million = 0;   // US dollars per 1M input tokens
  double output_per_million = 0;  // per 1M output tokens
  bool known = true;              // false: the model is not in the table (a cautious default)
};

/// The price of `model` at `provider`. Local providers (Ollama) cost 0. An unknown cloud model
/// gets the table's highest price, so that a budget is never overrun by a guess.
Price price_of(std::string_view provider, std::string_view model);

double cost_usd(const Price& price, uint64_t input_tokens, uint64_t output_tokens);

/// The context window (tokens) of `model` from the known table, else `fallback`.
uint64_t known_context_window(std::string_view model, uint64_t fallback = 8192);

/// A cautious token count for text we send: about one token per 3 bytes, plus framing.
uint64_t estimate_tokens(std::string_view text);

}  // namespace telinject::llm
