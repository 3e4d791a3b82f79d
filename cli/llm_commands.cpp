#include "llm_commands.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "atomic_file.h"
#include "llm/client.h"
#include "llm/env_file.h"
#include "llm/http.h"
#include "llm/models.h"

namespace telinject::cli {
namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

Result<std::unique_ptr<llm::Provider>> configured_provider(const Config& config) {
  auto options = llm::resolve_provider_options(config.llm);
  if (!options.ok()) return make_error(options.error());
  return llm::make_provider(*options);
}

std::string base_urls(const Config& config) {
  auto options = llm::resolve_provider_options(config.llm);
  if (!options.ok()) return "";
  std::string out;
  for (const std::string& url : options->base_urls)
    out += (out.empty() ? "" : ",") + llm::redact_url_credentials(url);
  return out;
}

}  // namespace

int check_api(const Config& config, bool json) {
  auto provider = configured_provider(config);
  if (!provider.ok()) {
    std::fprintf(stderr, "telinject: %s\n", provider.error().c_str());
    return kExitUsage;
  }
  nlohmann::json out = {{"provider", std::string((*provider)->name())},
                        {"model", (*provider)->model()},
                        {"base_url", base_urls(config)}};
  auto started = std::chrono::steady_clock::now();
  auto models = (*provider)->list_models();
  double list_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  out["auth"] = models.ok() ? "ok" : "failed";
  out["models_latency_ms"] = list_ms;
  bool ok = models.ok();
  if (!models.ok()) out["error"] = models.error();
  if (ok) {
    llm::LlmClient client(std::move(*provider), 0, nullptr);
    llm::CompletionRequest request;
    request.prompt = "Reply with the single word OK.";
    request.max_output_tokens = 16;
    request.purpose = "check-api";
    auto answer = client.complete(request);
    ok = answer.ok();
    out["completion"] = ok ? "ok" : "failed";
    if (ok) {
      out["completion_latency_ms"] = answer->latency_seconds * 1000;
      out["answer"] = answer->text;
      out["cost_usd"] = client.cost_usd();
    } else {
      out["error"] = answer.error();
    }
  }
  if (json) {
    std::puts(out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::printf("provider %s, model %s, %s\n", out["provider"].get<std::string>().c_str(),
                out["model"].get<std::string>().c_str(),
                out["base_url"].get<std::string>().c_str());
    std::printf("  connection and key: %s (%.1f ms)\n", models.ok() ? "ok" : "FAILED", list_ms);
    if (out.contains("completion") && ok)
      std::printf("  completion: ok (%.1f ms, $%.6f)\n", out["completion_latency_ms"].get<double>(),
                  out["cost_usd"].get<double>());
    else if (out.contains("completion"))
      std::printf("  completion: FAILED\n");
    if (out.contains("error"))
      std::fprintf(stderr, "error: %s\n", out["error"].get<std::string>().c_str());
  }
  return ok ? 0 : kExitFailed;
}

int list_models(const Config& config, bool json) {
  auto provider = configured_provider(config);
  if (!provider.ok()) {
    std::fprintf(stderr, "telinject: %s\n", provider.error().c_str());
    return kExitUsage;
  }
  auto models = (*provider)->list_models();
  if (!models.ok()) {
    std::fprintf(stderr, "error: %s\n", models.error().c_str());
    return kExitFailed;
  }
  const std::string name((*provider)->name());
  nlohmann::json list = nlohmann::json::array();
  for (const llm::ModelInfo& m : *models) {
    llm::ModelAdvice advice = llm::advise_model(name, m.id);
    list.push_back({{"id", m.id},
                    {"recommended", advice.recommended},
                    {"note", advice.note},
                    {"configured", m.id == (*provider)->model()}});
  }
  if (json) {
    std::puts(nlohmann::json({{"provider", name}, {"models", list}})
                  .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                  .c_str());
    return 0;
  }
  std::printf("%zu models at %s (* recommended, > configured):\n", list.size(), name.c_str());
  for (const auto& m : list)
    std::printf("%s%s %-40s %s\n", m["configured"].get<bool>() ? ">" : " ",
                m["recommended"].get<bool>() ? "*" : " ", m["id"].get<std::string>().c_str(),
                m["note"].get<std::string>().c_str());
  return 0;
}

namespace {

// One answer: the flag's value, else a line from stdin (prompted on a terminal), else `fallback`.
std::string ask(const std::string& given, const std::string& question, const std::string& fallback,
                bool secret = false) {
  if (!given.empty()) return given;
  bool terminal = isatty(STDIN_FILENO);
  if (terminal) {
    std::fprintf(stderr, "%s%s: ", question.c_str(),
                 fallback.empty() ? "" : (" [" + fallback + "]").c_str());
    std::fflush(stderr);
  }
  termios saved{};
  bool hide = secret && terminal && tcgetattr(STDIN_FILENO, &saved) == 0;
  if (hide) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  if (!std::getline(std::cin, line)) line.clear();
  if (hide) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fputc('\n', stderr);
  }
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line.empty() ? fallback : line;
}

}  // namespace

int configure(const ConfigureAnswers& given, const Config& current) {
  std::string provider = ask(given.provider, "LLM provider (openai, anthropic, ollama)",
                             current.llm.provider.empty() ? "openai" : current.llm.provider);
  if (provider != "openai" && provider != "anthropic" && provider != "ollama") {
    std::fprintf(stderr, "telinject: unknown provider '%s' (openai, anthropic or ollama)\n",
                 provider.c_str());
    return kExitUsage;
  }
  std::string base_url = ask(
      given.base_url, "Base URL (empty: the provider's own; for Ollama several, comma-separated)",
      current.llm.provider == provider ? current.llm.base_url : "");
  std::vector<std::string> suggested = llm::recommended_models(provider);
  std::string default_model = current.llm.provider == provider && !current.llm.model.empty()
                                  ? current.llm.model
                              : provider == "openai"    ? "gpt-4o-mini"
                              : provider == "anthropic" ? "claude-3-5-haiku-latest"
                                                        : "qwen2.5-coder:7b";
  std::string recommended;
  for (const std::string& m : suggested) recommended += (recommended.empty() ? "" : ", ") + m;
  std::string model = ask(given.model, "Model (recommended: " + recommended + ")", default_model);
  std::string key_name = provider == "openai" ? "OPENAI_API_KEY" : "ANTHROPIC_API_KEY";
  std::string key;
  if (provider != "ollama") {
    key = ask(given.api_key, "API key (" + key_name + ")", "", /*secret=*/true);
    if (key.empty()) {
      std::fprintf(stderr, "telinject: %s needs an API key (--api-key, or a line on stdin)\n",
                   provider.c_str());
      return kExitUsage;
    }
  }
  std::vector<std::pair<std::string, std::string>> values = {{"LLM_PROVIDER", provider},
                                                             {"LLM_MODEL", model}};
  if (!base_url.empty()) values.emplace_back("LLM_BASE_URL", base_url);
  if (!key.empty()) values.emplace_back(key_name, key);

  std::filesystem::path env_path = std::filesystem::path(given.directory) / ".env";
  std::string existing;
  std::error_code ec;
  if (std::filesystem::exists(env_path, ec)) {
    auto read = read_file(env_path);
    if (!read.ok()) {
      std::fprintf(stderr, "telinject: %s\n", read.error().c_str());
      return kExitFailed;
    }
    existing = std::move(*read);
  }
  // The file holds a key: readable by its owner only.
  auto written = write_file_atomically(
      env_path, llm::update_dotenv_text(existing, values),
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  if (!written.ok()) {
    std::fprintf(stderr, "telinject: %s\n", written.error().c_str());
    return kExitFailed;
  }
  std::printf(
      "wrote %s: LLM_PROVIDER=%s LLM_MODEL=%s%s%s\n", env_path.c_str(), provider.c_str(),
      model.c_str(),
      base_url.empty() ? "" : (" LLM_BASE_URL=" + llm::redact_url_credentials(base_url)).c_str(),
      key.empty() ? "" : (" " + key_name + "=[hidden]").c_str());
  std::printf("next: telinject check-api\n");
  return 0;
}

}  // namespace telinject::cli
