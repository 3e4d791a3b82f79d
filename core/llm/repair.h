// LlmScriptRepairer: the ScriptRepairer hook (llm_hooks.h), self-healing in script mode. When a
// template's script for one function fails validation, the LLM is asked for the instrumented
// function (with the failure, the project's lessons and what earlier attempts got wrong); its
// answer becomes an InsertionScript only if it is nothing but telemetry (answer_script.h), and it
// counts only if the caller's validation passes. Thread-safe: workers repair different functions at
// once.
#pragma once

#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "insertion_script.h"
#include "llm/client.h"
#include "llm_hooks.h"
#include "telemetry_template.h"

namespace telinject::llm {

class LlmScriptRepairer final : public ScriptRepairer {
 public:
  /// `lessons`: the project's docs/lessons/*.md texts. `cache_dir`: the script cache, under
  /// which lessons from rejected answers are kept across runs (lessons/learned.md, made on
  /// demand with create_cache_directory); empty: none read or kept.
  LlmScriptRepairer(LlmClient& client, std::vector<std::string> lessons,
                    std::filesystem::path cache_dir, uint32_t max_attempts);

  /// The texts of `directory`/*.md, sorted by name (none when it does not exist).
  static std::vector<std::string> load_lessons(const std::filesystem::path& directory);

  /// Up to max_attempts LLM calls. Each answer is converted and checked, then given to
  /// `validate` (which applies it to the file and validates the whole); the first that passes
  /// is returned, with origin "llm". `failure` is kBudget when the budget stopped it.
  Result<InsertionScript> repair(
      const RepairTask& task, const std::function<Result<void>(const InsertionScript&)>& validate,
      CallFailure* failure) override;

  /// The prompt for one attempt (public for tests).
  std::string prompt(const RepairTask& task, const std::vector<std::string>& rejected) const;

  LlmClient& client() { return client_; }

 private:
  void learn(const RepairTask& task, const std::string& reason);
  std::vector<std::string> learned() const;

  LlmClient& client_;
  std::vector<std::string> lessons_;
  std::filesystem::path cache_dir_;
  std::filesystem::path learned_path_;  // empty when cache_dir_ is
  uint32_t max_attempts_;
  mutable std::mutex mutex_;  // guards the learned-lessons file
};

}  // namespace telinject::llm
