#include "llm/analyzer.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "atomic_file.h"
#include "script_cache.h"
#include "sha256.h"
#include "source_text.h"
#include "version.h"

namespace telinject::llm {
namespace {

std::string numbered(const SourceText& source) {
  std::ostringstream out;
  for (uint32_t row = 0; row < source.row_count(); ++row)
    out << row + 1 << ": " << source.row_text(row) << "\n";
  return out.str();
}

const char* kAnalyzerSystem =
    "You list the functions and methods of a source file for telinject. Reply with one JSON "
    "object and nothing else: {\"functions\": [{\"name\": \"<name as written>\", "
    "\"qualified_name\": \"<Enclosing.Names.name>\", \"start_line\": <first line of the "
    "signature>, \"body_start_line\": <first line of the body>, \"end_line\": <line that closes "
    "the function>}]}. Lines are the 1-based numbers shown before each line. List every function "
    "with a body, including nested ones; leave out declarations without a body and functions "
    "whose body starts on the signature's own line.";

}  // namespace

LlmAnalyzer::LlmAnalyzer(LlmClient& client, std::filesystem::path cache_dir, uint32_t max_attempts,
                         bool store)
    : client_(client),
      cache_dir_(std::move(cache_dir)),
      max_attempts_(std::max<uint32_t>(1, max_attempts)),
      store_(store) {}

Result<std::vector<AnalyzedFunction>> LlmAnalyzer::analyze(const std::string& text,
                                                           const std::string& file,
                                                           const LlmLanguage& language,
                                                           CallFailure* failure) {
  if (failure) *failure = CallFailure::kNone;
  std::filesystem::path cached;
  if (!cache_dir_.empty()) {
    std::string key = Sha256().add(kVersion).add("analysis").add(language.name).add(text).hex();
    cached = cache_dir_ / "analysis" / language.name / (key + ".json");
    if (auto stored = read_file(cached); stored.ok()) {
      // Checked again: a damaged or edited entry is a miss.
      if (auto functions = parse_analysis(*stored, text, language); functions.ok()) {
        ++cache_hits_;
        return functions;
      }
    }
  }
  SourceText source(text);
  std::vector<std::string> rejected;
  for (uint32_t attempt = 0; attempt < max_attempts_; ++attempt) {
    CompletionRequest request;
    request.system = kAnalyzerSystem;
    request.prompt = "Language: " + language.name + "\nFile: " + file + "\n";
    for (size_t i = 0; i < rejected.size(); ++i)
      request.prompt +=
          "Your answer " + std::to_string(i + 1) + " was rejected: " + rejected[i] + "\n";
    request.prompt += "\n" + numbered(source);
    request.max_output_tokens = static_cast<uint32_t>(
        std::min<uint64_t>(8192, 512 + 60 * std::max<uint64_t>(1, source.row_count() / 4)));
    request.purpose = "analyze";
    CallFailure why = CallFailure::kNone;
    auto answer = client_.complete(request, &why);
    if (!answer.ok()) {
      if (failure) *failure = why;
      return make_error("LLM analysis: " + answer.error());
    }
    auto functions = parse_analysis(answer->text, text, language);
    if (functions.ok()) {
      if (!cached.empty() && store_) {
        nlohmann::json out = {{"functions", nlohmann::json::array()}};
        for (const AnalyzedFunction& f : *functions)
          out["functions"].push_back({{"name", f.name},
                                      {"qualified_name", f.qualified_name},
                                      {"start_line", f.start_line},
                                      {"body_start_line", f.body_start_line},
                                      {"end_line", f.end_line}});
        if (create_cache_directory(cache_dir_, cached.parent_path().lexically_relative(cache_dir_))
                .ok())
          (void)write_file_atomically(cached, out.dump(), std::nullopt, false);
      }
      return functions;
    }
    rejected.push_back(functions.error());
  }
  std::string all;
  for (const std::string& r : rejected) all += (all.empty() ? "" : "; ") + r;
  return make_error("LLM analysis rejected " + std::to_string(max_attempts_) + " times: " + all);
}

}  // namespace telinject::llm
