#include "llm_settings.h"

#include <algorithm>
#include <cctype>

namespace telinject::server {

std::vector<std::string> apply_llm_settings(LlmSettings& llm, const nlohmann::json& options) {
  std::vector<std::string> warnings;
  if (!options.is_object() || !options.contains("llm")) return warnings;
  const nlohmann::json& group = options["llm"];
  if (!group.is_object()) {
    warnings.push_back("setting 'llm' must be an object; ignored");
    return warnings;
  }
  for (const auto& item : group.items()) {
    // Not a structured binding: clang 14 cannot capture one in the lambda below.
    const std::string& name = item.key();
    const nlohmann::json& value = item.value();
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    // Settings files end up in repositories and backups: a key there is refused, never used.
    if (lower.find("key") != std::string::npos) {
      warnings.push_back("setting 'llm." + name +
                         "' refused: the API key is read from the environment or the "
                         "workspace's .env only (OPENAI_API_KEY, ANTHROPIC_API_KEY)");
      continue;
    }
    auto wrong = [&](const char* expected) {
      warnings.push_back("setting 'llm." + name + "' must be " + expected + "; ignored");
    };
    if (name == "enabled") {
      if (value.is_boolean())
        llm.enabled = value.get<bool>();
      else
        wrong("true or false");
    } else if (name == "provider" || name == "model" || name == "baseUrl") {
      if (!value.is_string()) {
        wrong("a string");
        continue;
      }
      std::string text = value.get<std::string>();
      if (text.empty()) continue;  // the editor's default: keep the project's
      if (name == "provider") {
        if (text != "openai" && text != "anthropic" && text != "ollama") {
          wrong("\"openai\", \"anthropic\" or \"ollama\"");
          continue;
        }
        llm.provider = text;
      } else if (name == "model") {
        llm.model = text;
      } else {
        llm.base_url = text;
      }
    } else if (name == "budget" || name == "timeout") {
      if (!value.is_number() || value.get<double>() < 0 ||
          (name == "timeout" && value.get<double>() == 0)) {
        wrong(name == "budget" ? "a number of US dollars >= 0" : "a number of seconds > 0");
        continue;
      }
      (name == "budget" ? llm.budget_usd : llm.timeout_seconds) = value.get<double>();
    } else {
      warnings.push_back("unknown setting 'llm." + name + "'; ignored");
    }
  }
  return warnings;
}

}  // namespace telinject::server
