#include "llm/hooks.h"

namespace telinject::llm {

void Hooks::attach(RunOptions& options) const {
  options.llm = client_.get();
  options.repairer = repairer_.get();
  options.analyzer = analyzer_.get();
  options.instrumenter = instrumenter_.get();
}

Result<std::unique_ptr<Hooks>> make_hooks(const HookOptions& options) {
  auto provider = make_provider(options.settings);
  if (!provider.ok()) return make_error(provider.error());
  auto hooks = std::make_unique<Hooks>();
  hooks->client_ =
      std::make_unique<LlmClient>(std::move(*provider), options.settings.budget_usd, options.trace);
  LlmClient& client = *hooks->client_;
  if (options.settings.whole_file_mode)
    hooks->instrumenter_ = std::make_unique<LlmFileInstrumenter>(
        client, options.max_retries + 1, options.settings.reflection_threshold);
  hooks->analyzer_ = std::make_unique<LlmAnalyzer>(client, options.cache_dir,
                                                   options.max_retries + 1, !options.read_only);
  if (options.max_retries > 0)
    hooks->repairer_ = std::make_unique<LlmScriptRepairer>(
        client,
        options.lessons_dir.empty() ? std::vector<std::string>{}
                                    : LlmScriptRepairer::load_lessons(options.lessons_dir),
        options.read_only ? std::filesystem::path() : options.cache_dir, options.max_retries);
  return hooks;
}

}  // namespace telinject::llm
