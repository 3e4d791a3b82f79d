#include "llm/repair.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "answer_script.h"
#include "llm/pricing.h"
#include "script_cache.h"

namespace telinject::llm {
namespace {

constexpr size_t kLessonBytes = 6000;  // of docs/lessons in one prompt
constexpr size_t kLearnedLines = 30;   // most recent learned lessons in one prompt

const char* kSystem =
    "You add tracing telemetry to source code for telinject. You only insert the telemetry "
    "statement you are given, with the indentation it needs to wrap the function's body. You "
    "never change, remove, reorder or reformat existing code, never add imports (telinject adds "
    "the helper's import itself), never call anything but the telemetry API, and never touch "
    "nested functions. Reply with one JSON object and nothing else: "
    "{\"function\": \"<qualified name>\", \"code\": \"<the complete instrumented function, from "
    "its first line>\"}.";

}  // namespace

LlmScriptRepairer::LlmScriptRepairer(LlmClient& client, std::vector<std::string> lessons,
                                     std::filesystem::path cache_dir, uint32_t max_attempts)
    : client_(client),
      lessons_(std::move(lessons)),
      cache_dir_(std::move(cache_dir)),
      learned_path_(cache_dir_.empty() ? std::filesystem::path()
                                       : cache_dir_ / "lessons" / "learned.md"),
      max_attempts_(max_attempts) {}

std::vector<std::string> LlmScriptRepairer::load_lessons(const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".md") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<std::string> texts;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    texts.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return texts;
}

std::vector<std::string> LlmScriptRepairer::learned() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> lines;
  std::ifstream in(learned_path_);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  if (lines.size() > kLearnedLines) lines.erase(lines.begin(), lines.end() - kLearnedLines);
  return lines;
}

void LlmScriptRepairer::learn(const RepairTask& task, const std::string& reason) {
  if (learned_path_.empty()) return;
  std::string line = "- " + task.language + " (profile " + task.tmpl->profile +
                     "): an answer was rejected: " + reason;
  std::replace(line.begin(), line.end(), '\n', ' ');
  if (line.size() > 400) line = line.substr(0, 400) + "...";
  for (const std::string& known : learned())
    if (known == line) return;
  std::lock_guard lock(mutex_);
  if (create_cache_directory(cache_dir_, "lessons").ok())
    std::ofstream(learned_path_, std::ios::app) << line << "\n";
}

std::string LlmScriptRepairer::prompt(const RepairTask& task,
                                      const std::vector<std::string>& rejected) const {
  std::ostringstream out;
  const LanguageTemplate& t = *task.tmpl;
  out << "Language: " << task.language << "\nFile: " << task.file
      << "\nFunction: " << task.qualified_name << " (" << task.kind << ")\n\n";
  out << "Telemetry template (profile " << t.profile << "):\n"
      << "- import line (telinject adds it to the file; do not add it): " << t.import_line << "\n"
      << "- statement that wraps the body: " << t.header << "\n";
  if (!t.generator_header.empty()) out << "- for generators: " << t.generator_header << "\n";
  out << "Placeholders: {name} is the quoted qualified name \"" << task.qualified_name
      << "\", {qualname} the bare qualified name, {kind} the kind. The telemetry line must start "
         "with: "
      << t.marker() << "\n\n";
  out << "telinject's own instrumentation of this function failed validation: " << task.failure
      << "\n";
  if (!task.failed_output.empty()) out << "It produced:\n```\n" << task.failed_output << "\n```\n";
  std::string lessons;
  for (const std::string& text : lessons_) lessons += text + "\n";
  if (lessons.size() > kLessonBytes) lessons = lessons.substr(0, kLessonBytes) + "\n...";
  if (!lessons.empty()) out << "\nLessons of this project:\n" << lessons;
  std::vector<std::string> learned_lines = learned();
  if (!learned_lines.empty()) {
    out << "\nLessons learned from earlier rejected answers:\n";
    for (const std::string& line : learned_lines) out << line << "\n";
  }
  if (!rejected.empty()) {
    out << "\nYour earlier answers for this function were rejected:\n";
    for (size_t i = 0; i < rejected.size(); ++i)
      out << "- attempt " << i + 1 << ": " << rejected[i] << "\n";
  }
  out << "\nThe function, exactly as it is in the file:\n```\n" << task.function_text << "\n```\n";
  return out.str();
}

Result<InsertionScript> LlmScriptRepairer::repair(
    const RepairTask& task, const std::function<Result<void>(const InsertionScript&)>& validate,
    CallFailure* failure) {
  if (failure) *failure = CallFailure::kNone;
  std::vector<std::string> rejected;
  for (uint32_t attempt = 0; attempt < max_attempts_; ++attempt) {
    CompletionRequest request;
    request.system = kSystem;
    request.prompt = prompt(task, rejected);
    request.max_output_tokens = static_cast<uint32_t>(
        std::min<uint64_t>(16384, 2 * estimate_tokens(task.function_text) + 512));
    request.purpose = "refactor";
    CallFailure why = CallFailure::kNone;
    auto answer = client_.complete(request, &why);
    if (!answer.ok()) {
      if (failure) *failure = why;
      return make_error("LLM repair: " + answer.error());
    }
    std::string reason;
    auto code = code_from_answer(answer->text, task.qualified_name);
    if (!code.ok()) {
      reason = code.error();
    } else {
      auto insertions = insertions_between(task.function_text, *code);
      if (!insertions.ok()) {
        reason = insertions.error();
      } else if (auto safe = check_telemetry_only(*insertions, *task.tmpl, task.qualified_name,
                                                  task.name, task.kind);
                 !safe.ok()) {
        reason = safe.error();
      } else if (insertions->empty()) {
        reason = "the answer adds no telemetry";
      } else {
        InsertionScript script;
        script.language = task.language;
        script.function_name = task.name;
        script.qualified_name = task.qualified_name;
        script.profile = task.tmpl->profile;
        script.origin = "llm";
        script.insertions = std::move(*insertions);
        auto valid = validate(script);
        if (valid.ok()) return script;
        reason = "the result failed validation: " + valid.error();
      }
    }
    rejected.push_back(reason);
    learn(task, reason);
  }
  std::string all;
  for (const std::string& r : rejected) all += (all.empty() ? "" : "; ") + r;
  return make_error("LLM repair gave up after " + std::to_string(max_attempts_) +
                    " attempts: " + all);
}

}  // namespace telinject::llm
