#include "answer_script.h"

#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

namespace telinject {
namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (true) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? end : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return lines;
}

bool is_blank(std::string_view s) { return s.find_first_not_of(" \t") == std::string_view::npos; }

// Only spaces, tabs and line breaks.
bool is_blank_text(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// `answer_line` is `original_line` with only whitespace before it.
bool matches(std::string_view original_line, std::string_view answer_line) {
  if (answer_line.size() < original_line.size()) return false;
  size_t extra = answer_line.size() - original_line.size();
  return answer_line.substr(extra) == original_line && is_blank(answer_line.substr(0, extra));
}

std::string trimmed(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

bool is_identifier_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Identifiers a template's own text uses, placeholders left out.
std::set<std::string> template_vocabulary(const LanguageTemplate& tmpl) {
  std::set<std::string> words;
  for (const std::string* text : {&tmpl.header, &tmpl.generator_header, &tmpl.import_line}) {
    std::string t = *text;
    for (const char* placeholder : {"{name}", "{qualname}", "{kind}"})
      for (size_t at; (at = t.find(placeholder)) != std::string::npos;)
        t.replace(at, std::string_view(placeholder).size(), " ");
    for (size_t i = 0; i < t.size();) {
      if (is_identifier_start(t[i])) {
        size_t j = i;
        while (j < t.size() && is_identifier_char(t[j])) ++j;
        words.insert(t.substr(i, j - i));
        i = j;
      } else {
        ++i;
      }
    }
  }
  return words;
}

bool looks_like_import(const std::string& line) {
  for (const char* start : {"import ", "from ", "#include", "using ", "require ", "use "})
    if (line.rfind(start, 0) == 0) return true;
  return line.find("require(") != std::string::npos || line.find("import(") != std::string::npos;
}

// The text after the marker of one telemetry line; empty when acceptable.
std::string check_rest(std::string_view rest, const std::set<std::string>& vocabulary,
                       const std::set<std::string>& names) {
  for (size_t i = 0; i < rest.size();) {
    char c = rest[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (c == '"' || c == '\'' || c == '`') {
      size_t j = i + 1;
      std::string content;
      while (j < rest.size() && rest[j] != c) {
        if (rest[j] == '\\') return "an escape inside a string literal";
        content += rest[j++];
      }
      if (j >= rest.size()) return "an unterminated string literal";
      if (!names.count(content))
        return "the string literal " + std::string(rest.substr(i, j - i + 1));
      i = j + 1;
    } else if (is_identifier_start(c)) {
      size_t j = i;
      while (j < rest.size() && is_identifier_char(rest[j])) ++j;
      std::string word(rest.substr(i, j - i));
      if (!vocabulary.count(word))
        return "'" + word + "', which the telemetry template does not use";
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               std::string_view("(),:=;{}.").find(c) != std::string_view::npos) {
      ++i;
    } else {
      return std::string("the character '") + c + "'";
    }
  }
  return "";
}

}  // namespace

Result<std::vector<Insertion>> insertions_between(std::string_view original,
                                                  std::string_view answer) {
  // A final line break the function text does not have is not an insertion.
  while (!answer.empty() && (answer.back() == '\n' || answer.back() == '\r') &&
         (original.empty() || original.back() != '\n'))
    answer.remove_suffix(1);
  std::vector<std::string_view> before = split_lines(original);
  std::vector<std::string_view> after = split_lines(answer);
  std::vector<Insertion> insertions;
  size_t j = 0;
  for (size_t row = 0; row < before.size(); ++row) {
    std::string added;
    while (j < after.size() && !matches(before[row], after[j]))
      added += std::string(after[j++]) + "\n";
    if (j == after.size())
      return make_error("the answer removes or alters original line " + std::to_string(row + 1) +
                        " of the function: '" + trimmed(before[row]) + "'");
    std::string_view line = after[j++];
    added += std::string(line.substr(0, line.size() - before[row].size()));
    if (!added.empty()) insertions.push_back({static_cast<uint32_t>(row), 0, std::move(added)});
  }
  for (; j < after.size(); ++j)
    if (!is_blank(after[j]))
      return make_error("the answer adds text after the end of the function: '" +
                        trimmed(after[j]) + "'");
  return insertions;
}

Result<void> check_telemetry_only(const std::vector<Insertion>& insertions,
                                  const LanguageTemplate& tmpl, const std::string& qualified_name,
                                  const std::string& name, const std::string& kind) {
  const std::string marker = trimmed(tmpl.marker());
  const std::set<std::string> vocabulary = template_vocabulary(tmpl);
  const std::set<std::string> names = {qualified_name, name, kind};
  for (const Insertion& insertion : insertions) {
    for (std::string_view piece : split_lines(insertion.text)) {
      std::string line = trimmed(piece);
      if (line.empty()) continue;
      if (looks_like_import(line))
        return make_error(
            "the answer adds an import ('" + line +
            "'); only the telemetry helper's import is allowed, and telinject adds it");
      if (marker.empty() || line.rfind(marker, 0) != 0)
        return make_error("the answer inserts code that is not telemetry: '" + line + "'");
      std::string problem =
          check_rest(std::string_view(line).substr(marker.size()), vocabulary, names);
      if (!problem.empty())
        return make_error("the answer's telemetry line '" + line +
                          "' goes outside the telemetry API: it contains " + problem);
    }
  }
  return {};
}

Result<void> check_same_place(const std::vector<Insertion>& answer,
                              const std::vector<Insertion>& own) {
  std::set<uint32_t> rows;
  for (const Insertion& i : own)
    if (!is_blank_text(i.text)) rows.insert(i.row);
  for (const Insertion& i : answer) {
    if (is_blank_text(i.text) || rows.count(i.row)) continue;
    std::string where;
    for (uint32_t row : rows) where += (where.empty() ? "" : ", ") + std::to_string(row + 1);
    return make_error("the answer puts telemetry before line " + std::to_string(i.row + 1) +
                      " of the function; it belongs before line " +
                      (where.empty() ? std::string("(none)") : where) +
                      ", where telinject's own script puts it");
  }
  return {};
}

Result<std::string> code_from_answer(std::string_view answer, const std::string& qualified_name) {
  size_t open = answer.find('{');
  size_t close = answer.rfind('}');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return make_error("the answer is not a JSON object");
  auto json = nlohmann::json::parse(answer.substr(open, close - open + 1), nullptr, false);
  if (json.is_discarded() || !json.is_object())
    return make_error("the answer is not a valid JSON object");
  if (!json.contains("code") || !json["code"].is_string())
    return make_error("the answer has no \"code\" string");
  if (!json.contains("function") || !json["function"].is_string() ||
      json["function"].get<std::string>() != qualified_name)
    return make_error("the answer is for another function than " + qualified_name);
  return json["code"].get<std::string>();
}

}  // namespace telinject
