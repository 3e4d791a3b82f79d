// process_text: one file's text parsed and extracted once (extract_text), then through the
// pass its action names (check_pass.h, remove_pass.h, instrument_pass.h).
#include <algorithm>
#include <memory>
#include <string_view>

#include "check_pass.h"
#include "glob.h"
#include "instrument_pass.h"
#include "pipeline.h"
#include "remove_pass.h"
#include "syntax_tree.h"

namespace telinject {
namespace {

using pass::parse_and_extract;

constexpr std::string_view kExcludedReason = "excluded by exclude_functions (";
constexpr std::string_view kTooShortReason = "shorter than min_function_lines";

}  // namespace

bool pass::skipped_by_config(const FunctionInfo& f) {
  return f.state == FunctionState::kSkipped &&
         (f.reason.rfind(kExcludedReason, 0) == 0 || f.reason == kTooShortReason);
}

void apply_config_filters(std::vector<FunctionInfo>& functions, const Config& config) {
  for (FunctionInfo& f : functions) {
    if (f.state != FunctionState::kUninstrumented) continue;
    for (const std::string& pattern : config.exclude_functions) {
      if (name_glob_match(pattern, f.qualified_name)) {
        f.state = FunctionState::kSkipped;
        f.reason = std::string(kExcludedReason) + pattern + ")";
        break;
      }
    }
    if (f.state == FunctionState::kUninstrumented && config.min_function_lines > 0 &&
        f.end_row - f.start_row + 1 < config.min_function_lines) {
      f.state = FunctionState::kSkipped;
      f.reason = std::string(kTooShortReason);
    }
  }
}

Result<std::vector<LanguageTemplate>> templates_for(const LanguageSupport& language,
                                                    const Config& config) {
  std::vector<LanguageTemplate> all = language.builtin_templates();
  for (const auto& [profile, by_language] : config.templates) {
    auto it = by_language.find(std::string(language.name()));
    if (it == by_language.end()) continue;
    LanguageTemplate user = it->second;
    user.profile = profile;
    auto same = std::find_if(all.begin(), all.end(),
                             [&](const LanguageTemplate& t) { return t.profile == user.profile; });
    if (same != all.end())
      *same = user;
    else
      all.push_back(user);
  }
  auto chosen = std::find_if(all.begin(), all.end(), [&](const LanguageTemplate& t) {
    return t.profile == config.profile;
  });
  if (chosen == all.end())
    return make_error("profile '" + config.profile + "' has no template for " +
                      std::string(language.name()));
  std::rotate(all.begin(), chosen, chosen + 1);
  return all;
}

std::shared_ptr<const ExtractedText> extract_text(const std::string& text,
                                                  const FileLocation& location,
                                                  const LanguageSupport& language,
                                                  const Config& config, const SyntaxTree* tree) {
  auto extracted = std::make_shared<ExtractedText>();
  extracted->input = text;  // kept only when there is no parse to give it back
  extracted->language = &language;
  extracted->config = config;
  extracted->location = location;
  auto templates = templates_for(language, config);
  if (!templates.ok()) {
    extracted->error = templates.error();
    return extracted;
  }
  extracted->templates = std::move(*templates);
  SourceText source(text);
  // The caller's parse is used when it is of this very text (it never is with a BOM aside).
  bool reuse = tree && tree->get() && !source.has_bom();
  auto parsed =
      reuse ? parse_and_extract(std::move(source), location, language, extracted->templates,
                                tree->copy())
            : parse_and_extract(std::move(source), location, language, extracted->templates);
  if (!parsed.ok()) {
    extracted->error = parsed.error();
    return extracted;
  }
  extracted->parsed = std::move(*parsed);
  extracted->parsed->incremental = reuse;
  extracted->input.clear();
  extracted->input.shrink_to_fit();
  apply_config_filters(extracted->parsed->functions, config);
  return extracted;
}

std::vector<FunctionOutcome> check_extracted(const ExtractedText& extracted) {
  std::vector<FunctionOutcome> out;
  if (!extracted.parsed) return out;
  for (const FunctionInfo& f : extracted.parsed->functions)
    out.push_back(pass::describe(f, pass::found_state(f)));
  return out;
}

TextResult process_text(const std::string& input, const FileLocation& location,
                        const LanguageSupport& language, Action action, const Config& config,
                        ScriptCache* cache, TraceLog* trace, const std::vector<std::string>* only,
                        LlmHooks hooks, const SyntaxTree* tree) {
  return process_extracted(*extract_text(input, location, language, config, tree), action, cache,
                           trace, only, hooks);
}

TextResult process_extracted(const ExtractedText& extracted, Action action, ScriptCache* cache,
                             TraceLog* trace, const std::vector<std::string>* only,
                             LlmHooks hooks) {
  if (!extracted.parsed) {
    TextResult result = pass::unchanged_result(extracted);
    result.outcome.status = FileOutcome::Status::kError;
    result.outcome.message = extracted.error;
    return result;
  }
  switch (action) {
    case Action::kCheck:
      return pass::check(extracted);
    case Action::kRemove:
      return pass::remove(extracted, only);
    case Action::kInstrument:
      break;
  }
  return pass::instrument(extracted, cache, trace, only, hooks);
}

}  // namespace telinject
