#include "llm_service.h"

#include "log.h"
#include "sha256.h"

namespace telinject::server {

ServerLlm::ServerLlm(std::unique_ptr<llm::Hooks> hooks, bool spent)
    : hooks_(std::move(hooks)), spent_before_(spent) {}

bool ServerLlm::budget_spent() const {
  if (!spent_before_ && !hooks_->client().budget_exhausted()) return false;
  if (!warned_.exchange(true))
    logger().warn(
        "the LLM budget of this language server is spent: no more LLM calls until it restarts "
        "(llm.budget, in US dollars; 0: no limit)");
  return true;
}

LlmHooks ServerLlm::text_hooks() const {
  if (budget_spent()) return {};
  LlmHooks hooks = hooks_->text_hooks();
  hooks.instrumenter = nullptr;  // --mode llm is the CLI's; the editor repairs only
  return hooks;
}

Result<std::vector<AnalyzedFunction>> ServerLlm::analyze(const std::string& text,
                                                         const std::string& file,
                                                         const LlmLanguage& language,
                                                         CallFailure* failure) {
  const std::string key = Sha256().add(language.name).add(text).hex();
  {
    std::lock_guard lock(mutex_);
    if (auto it = memo_.find(key); it != memo_.end()) {
      if (failure) *failure = CallFailure::kNone;
      return it->second;
    }
  }
  if (budget_spent()) {
    if (failure) *failure = CallFailure::kBudget;
    return make_error("not analysed: the LLM budget of this language server is spent");
  }
  CallFailure why = CallFailure::kNone;
  auto functions = hooks_->analyzer()->analyze(text, file, language, &why);
  if (failure) *failure = why;
  if (why == CallFailure::kBudget) (void)budget_spent();  // says so in the log, once
  if (functions.ok()) {
    std::lock_guard lock(mutex_);
    if (memo_.size() >= 512) memo_.clear();  // bounded: an editing session, not a history
    memo_[key] = *functions;
  }
  return functions;
}

std::shared_ptr<ServerLlm> LlmService::for_config(const Config& config,
                                                  const std::filesystem::path& cache_dir,
                                                  bool read_only) {
  if (!config.llm.enabled) return nullptr;
  const LlmSettings& s = config.llm;
  std::string identity = Sha256()
                             .add(s.provider)
                             .add(s.model)
                             .add(s.base_url)
                             .add(s.api_key)
                             .add(std::to_string(s.timeout_seconds))
                             .add(std::to_string(s.budget_usd))
                             .add(std::to_string(config.max_retries))
                             .hex();
  std::lock_guard lock(mutex_);
  if (current_ && identity == identity_) return current_;
  double spent = spent_before_ + (current_ ? current_->meter().cost_usd() : 0);
  uint64_t calls = calls_before_ + (current_ ? current_->meter().calls() : 0);
  bool was_spent = budget_spent_before_ || (current_ && current_->budget_spent());
  llm::HookOptions options;
  options.settings = s;
  options.settings.whole_file_mode = false;
  if (s.budget_usd > 0) {
    // What is left of the server's budget; a spent budget stays spent.
    options.settings.budget_usd = s.budget_usd - spent;
    if (options.settings.budget_usd <= 0) was_spent = true;
    if (was_spent) options.settings.budget_usd = 1e-9;  // never asked: ServerLlm stops first
  }
  options.max_retries = config.max_retries;
  options.cache_dir = cache_dir;
  options.read_only = read_only;
  options.lessons_dir = cache_dir.parent_path() / "docs" / "lessons";
  auto made = llm::make_hooks(options);
  if (!made.ok()) {
    std::string problem = "LLM not used: " + made.error();
    if (problem != last_problem_) logger().warn("{}", problem);
    last_problem_ = problem;
    return current_ && identity == identity_ ? current_ : nullptr;
  }
  last_problem_.clear();
  spent_before_ = spent;
  calls_before_ = calls;
  budget_spent_before_ = was_spent;
  budget_usd_ = s.budget_usd;
  current_ = std::make_shared<ServerLlm>(std::move(*made), was_spent);
  identity_ = identity;
  return current_;
}

nlohmann::json LlmService::usage() const {
  std::lock_guard lock(mutex_);
  double cost = spent_before_ + (current_ ? current_->meter().cost_usd() : 0);
  uint64_t calls = calls_before_ + (current_ ? current_->meter().calls() : 0);
  bool spent = budget_spent_before_ || (current_ && current_->budget_spent());
  nlohmann::json out = {{"enabled", current_ != nullptr},
                        {"calls", calls},
                        {"costUsd", cost},
                        {"budgetSpent", spent}};
  if (current_) out["budgetUsd"] = budget_usd_;
  return out;
}

}  // namespace telinject::server
