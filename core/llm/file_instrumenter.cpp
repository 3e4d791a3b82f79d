#include "llm/file_instrumenter.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "answer_script.h"
#include "llm/pricing.h"

namespace telinject::llm {
namespace {

const char* kSystem =
    "You add tracing telemetry to a whole source file for telinject. For each function you are "
    "told to instrument, insert the telemetry statement you are given so that it wraps the "
    "function's body, with the indentation that needs. Never change, remove, reorder or reformat "
    "existing code, never add imports (telinject adds the helper's import itself), never call "
    "anything but the telemetry API, and never touch functions you were not told to instrument. "
    "Reply with one JSON object and nothing else: {\"code\": \"<the complete instrumented "
    "file>\"}.";

const char* kReflectionSystem =
    "You review failed attempts at adding telemetry to a source file. Say briefly, as a list of "
    "concrete instructions, what the attempts did wrong and how to get it right. Plain text.";

std::string code_of(std::string_view answer) {
  size_t open = answer.find('{'), close = answer.rfind('}');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return "";
  auto json = nlohmann::json::parse(answer.substr(open, close - open + 1), nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("code") ||
      !json["code"].is_string())
    return "";
  return json["code"].get<std::string>();
}

}  // namespace

LlmFileInstrumenter::LlmFileInstrumenter(LlmClient& client, uint32_t max_attempts,
                                         uint32_t reflection_threshold)
    : client_(client),
      max_attempts_(std::max<uint32_t>(1, max_attempts)),
      reflection_threshold_(reflection_threshold) {}

Result<FileScripts> LlmFileInstrumenter::scripts_from_answer(const FileTask& task,
                                                             std::string_view code) {
  auto insertions = insertions_between(task.text, code);
  if (!insertions.ok()) return make_error(insertions.error());
  FileScripts scripts;
  for (Insertion& insertion : *insertions) {
    // An insertion goes before original row `insertion.row`: it belongs to the function whose
    // body holds that row.
    const TargetFunction* owner = nullptr;
    for (const TargetFunction& t : task.targets)
      if (insertion.row > t.start_row && insertion.row <= t.end_row) owner = &t;
    if (!owner) {
      // Say what it is when it is an import or foreign code; anything else is misplaced.
      auto safe = check_telemetry_only({insertion}, *task.tmpl, "", "", "");
      return make_error(
          (safe.ok() ? std::string() : safe.error() + "; ") +
          "the answer inserts text outside the functions to instrument, before line " +
          std::to_string(insertion.row + 1));
    }
    auto safe = check_telemetry_only({insertion}, *task.tmpl, owner->qualified_name, owner->name,
                                     owner->kind);
    if (!safe.ok()) return make_error(owner->qualified_name + ": " + safe.error());
    InsertionScript& script = scripts[owner->index];
    script.language = task.language;
    script.function_name = owner->name;
    script.qualified_name = owner->qualified_name;
    script.profile = task.tmpl->profile;
    script.origin = "llm";
    insertion.row -= owner->start_row;
    script.insertions.push_back(std::move(insertion));
  }
  if (scripts.empty()) return make_error("the answer adds no telemetry");
  return scripts;
}

bool LlmFileInstrumenter::fits(const FileTask& task) {
  uint64_t file_tokens = estimate_tokens(task.text);
  // The prompt holds the file once, the answer once more with its telemetry (about half again).
  return estimate_tokens(kSystem) + 2 * file_tokens + file_tokens / 2 + 1024 <=
         client_.context_window();
}

std::string LlmFileInstrumenter::prompt(const FileTask& task,
                                        const std::vector<std::string>& rejected,
                                        const std::string& guidance) const {
  std::ostringstream out;
  const LanguageTemplate& t = *task.tmpl;
  out << "Language: " << task.language << "\nFile: " << task.file << "\n\n"
      << "Telemetry statement that wraps a body: " << t.header << "\n";
  if (!t.generator_header.empty()) out << "For generators: " << t.generator_header << "\n";
  out << "{name} is the function's qualified name as a quoted string; the statement must start "
         "with: "
      << t.marker() << "\nThe import (telinject adds it; do not): " << t.import_line << "\n\n"
      << "Instrument exactly these functions:\n";
  for (const TargetFunction& f : task.targets)
    out << "- " << f.qualified_name << " (" << f.kind << ", lines " << f.start_row + 1 << "-"
        << f.end_row + 1 << ")\n";
  if (!guidance.empty())
    out << "\nGuidance from a review of the failed attempts:\n" << guidance << "\n";
  if (!rejected.empty()) {
    out << "\nEarlier answers were rejected:\n";
    for (size_t i = 0; i < rejected.size(); ++i)
      out << "- attempt " << i + 1 << ": " << rejected[i] << "\n";
  }
  out << "\nThe file:\n```\n" << task.text << "\n```\n";
  return out.str();
}

Result<FileScripts> LlmFileInstrumenter::instrument(
    const FileTask& task, const std::function<Result<void>(const FileScripts&)>& validate,
    CallFailure* failure) {
  if (failure) *failure = CallFailure::kNone;
  std::vector<std::string> rejected;
  std::string guidance;
  for (uint32_t attempt = 0; attempt < max_attempts_; ++attempt) {
    if (reflection_threshold_ > 0 && rejected.size() == reflection_threshold_) {
      CompletionRequest reflect;
      reflect.system = kReflectionSystem;
      reflect.prompt =
          "Telemetry statement: " + task.tmpl->header + "\nThe attempts failed because:\n";
      for (const std::string& r : rejected) reflect.prompt += "- " + r + "\n";
      reflect.prompt += "\nThe file:\n```\n" + task.text + "\n```\n";
      reflect.max_output_tokens = 1024;
      reflect.purpose = "reflection";
      CallFailure why = CallFailure::kNone;
      auto answer = client_.complete(reflect, &why);
      if (!answer.ok()) {
        if (failure) *failure = why;
        return make_error("LLM reflection: " + answer.error());
      }
      guidance = answer->text;
    }
    CompletionRequest request;
    request.system = kSystem;
    request.prompt = prompt(task, rejected, guidance);
    request.max_output_tokens =
        static_cast<uint32_t>(std::min<uint64_t>(32768, estimate_tokens(task.text) * 3 / 2 + 512));
    request.purpose = "instrument";
    CallFailure why = CallFailure::kNone;
    auto answer = client_.complete(request, &why);
    if (!answer.ok()) {
      if (failure) *failure = why;
      return make_error("LLM instrumentation: " + answer.error());
    }
    std::string code = code_of(answer->text);
    std::string reason;
    if (code.empty()) {
      reason = "the answer is not {\"code\": \"...\"}";
    } else if (auto scripts = scripts_from_answer(task, code); !scripts.ok()) {
      reason = scripts.error();
    } else if (auto valid = validate(*scripts); !valid.ok()) {
      reason = "the result failed validation: " + valid.error();
    } else {
      return scripts;
    }
    rejected.push_back(reason);
  }
  std::string all;
  for (const std::string& r : rejected) all += (all.empty() ? "" : "; ") + r;
  return make_error("LLM instrumentation gave up after " + std::to_string(max_attempts_) +
                    " attempts: " + all);
}

}  // namespace telinject::llm
