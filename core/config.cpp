#include "config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <string_view>

#include "atomic_file.h"
#include "language.h"
#include "remote_cache.h"

extern char** environ;

namespace telinject {
namespace {

namespace fs = std::filesystem;

const std::set<std::string_view> kTraceLevels = {"TRACE", "DEBUG", "INFO", "WARNING", "ERROR"};

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_single_line(const std::string& text) {
  return text.find_first_of("\r\n") == std::string::npos;
}

const char* type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date or time";
  }
}

// "file:line:column: "
std::string located(const fs::path& file, const toml::source_region& region) {
  return file.string() + ":" + std::to_string(region.begin.line) + ":" +
         std::to_string(region.begin.column) + ": ";
}

// The config as parsed: the whole file, or the [tool.telinject] table of a pyproject.toml.
struct FileSource {
  fs::path path;  // absolute
  toml::table document;
  bool pyproject = false;

  // (Copying a toml::table would drop the source positions errors need.)
  const toml::table& table() const {
    return pyproject ? *document["tool"]["telinject"].as_table() : document;
  }
};

// Reads typed values out of one table of the config file into `Config` fields. Every reader
// returns false after storing the first problem, located "file:line:column", in `*error`.
// Absent keys leave the field alone.
struct TableReader {
  const FileSource& file;
  const toml::table& table;
  std::string section;  // "" at the top, "trace." inside [trace]
  std::string* error;

  bool fail(const toml::node& node, const std::string& message) const {
    *error = located(file.path, node.source()) + message;
    return false;
  }
  bool wrong_type(const toml::node& node, std::string_view key, const char* expected) const {
    return fail(node, "'" + section + std::string(key) + "' must be " + expected + ", not " +
                          type_name(node));
  }

  bool only_keys(std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, node] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
      return fail(node, "unknown key '" + section + std::string(key.str()) + "' in " +
                            (file.pyproject ? "[tool.telinject] of pyproject.toml"
                                            : file.path.filename().string()));
    }
    return true;
  }
  bool string(std::string_view key, std::string& out) const {
    const toml::node* node = table.get(key);
    if (!node) return true;
    if (!node->is_string()) return wrong_type(*node, key, "a string");
    out = node->as_string()->get();
    return true;
  }
  bool boolean(std::string_view key, bool& out) const {
    const toml::node* node = table.get(key);
    if (!node) return true;
    if (!node->is_boolean()) return wrong_type(*node, key, "a boolean");
    out = node->as_boolean()->get();
    return true;
  }
  template <class T>
  bool integer(std::string_view key, int64_t min, T& out) const {
    const toml::node* node = table.get(key);
    if (!node) return true;
    if (!node->is_integer()) return wrong_type(*node, key, "an integer");
    int64_t value = node->as_integer()->get();
    int64_t max = static_cast<int64_t>(
        std::min<uint64_t>(std::numeric_limits<T>::max(), std::numeric_limits<int64_t>::max()));
    if (value < min || value > max)
      return fail(*node, "'" + section + std::string(key) + "' must be between " +
                             std::to_string(min) + " and " + std::to_string(max));
    out = static_cast<T>(value);
    return true;
  }
  // An integer or a float, above zero when `positive`, else at least zero.
  bool number(std::string_view key, bool positive, double& out) const {
    const toml::node* node = table.get(key);
    if (!node) return true;
    if (!node->is_number()) return wrong_type(*node, key, "a number");
    double value = node->value<double>().value_or(-1);
    if (!std::isfinite(value) || value < 0 || (positive && value == 0))
      return fail(*node, "'" + section + std::string(key) + "' must be a " +
                             (positive ? "positive number" : "number of at least 0"));
    out = value;
    return true;
  }
  bool strings(std::string_view key, std::vector<std::string>& out) const {
    const toml::node* node = table.get(key);
    if (!node) return true;
    const toml::array* array = node->as_array();
    if (!array) return wrong_type(*node, key, "an array of strings");
    std::vector<std::string> values;
    for (const toml::node& item : *array) {
      if (!item.is_string()) return wrong_type(item, std::string(key) + "[]", "a string");
      values.push_back(item.as_string()->get());
    }
    out = std::move(values);
    return true;
  }
  // `*out` is the sub-table `key`, or nullptr when absent.
  bool table_at(std::string_view key, const toml::table*& out) const {
    const toml::node* node = table.get(key);
    out = node ? node->as_table() : nullptr;
    return !node || out || wrong_type(*node, key, "a table");
  }
  TableReader nested(const toml::table& inner, std::string_view key) const {
    return TableReader{file, inner, section + std::string(key) + ".", error};
  }
};

bool is_profile_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  return true;
}

bool has_name_placeholder(const std::string& header) {
  return header.find("{name}") != std::string::npos ||
         header.find("{qualname}") != std::string::npos;
}

// [templates.<profile>.<language>] tables.
bool read_templates(const TableReader& templates, Config& config) {
  for (const auto& [profile_key, profile_node] : templates.table) {
    std::string profile(profile_key.str());
    if (!is_profile_name(profile))
      return templates.fail(profile_node, "profile name '" + profile +
                                              "' may hold only letters, digits, '_' and '-'");
    const toml::table* by_language = nullptr;
    if (!templates.table_at(profile, by_language)) return false;
    TableReader languages = templates.nested(*by_language, profile);
    for (const auto& [language_key, node] : *by_language) {
      std::string language(language_key.str());
      const toml::table* table = nullptr;
      if (!languages.table_at(language, table)) return false;
      TableReader t = languages.nested(*table, language);
      std::string name = "templates." + profile + "." + language;
      LanguageTemplate tmpl;
      tmpl.profile = profile;
      // A language whose own templates close their header with a footer (JavaScript's
      // try/finally) takes `footer` and `require` too, and needs the footer.
      const LanguageSupport* known = LanguageRegistry::instance().by_name(language);
      const bool block_language = known && !known->builtin_templates().empty() &&
                                  !known->builtin_templates().front().footer.empty();
      bool keys_ok = block_language
                         ? t.only_keys({"import", "require", "header", "generator_header", "footer",
                                        "runtime"}) &&
                               t.string("require", tmpl.require_line) &&
                               t.string("footer", tmpl.footer)
                         : t.only_keys({"import", "header", "generator_header", "runtime"});
      if (!keys_ok || !t.string("import", tmpl.import_line) || !t.string("header", tmpl.header) ||
          !t.string("generator_header", tmpl.generator_header) ||
          !t.boolean("runtime", tmpl.needs_runtime))
        return false;
      if (tmpl.import_line.empty() || tmpl.header.empty())
        return t.fail(node, name + " needs 'import' and 'header'");
      if (block_language && tmpl.footer.empty())
        return t.fail(node, name + " needs 'footer' (the text that closes the header's block)");
      // Telemetry is recognised as the header's declaration followed by the try statement
      // that holds the body.
      constexpr std::string_view kOpensTry = "try {";
      if (block_language &&
          (tmpl.header.size() < kOpensTry.size() ||
           tmpl.header.compare(tmpl.header.size() - kOpensTry.size(), kOpensTry.size(),
                               kOpensTry) != 0 ||
           (tmpl.header.rfind("const ", 0) != 0 && tmpl.header.rfind("let ", 0) != 0)))
        return t.fail(node, name +
                                ".header must be a `const` or `let` declaration followed by "
                                "`try {` (the footer closes the try)");
      if (!is_single_line(tmpl.require_line) || !is_single_line(tmpl.footer))
        return t.fail(node, name + ".require and .footer must be single lines");
      if (!is_single_line(tmpl.import_line))
        return t.fail(node, name + ".import must be a single line");
      for (const auto& [key, text] : {std::pair{"header", &tmpl.header},
                                      std::pair{"generator_header", &tmpl.generator_header}}) {
        if (text->empty()) continue;
        if (!is_single_line(*text))
          return t.fail(node, name + "." + key + " must be a single line");
        if (!has_name_placeholder(*text))
          return t.fail(node, name + "." + key + " must contain {name} or {qualname}");
      }
      // The fixed text the headers start with is how instrumented functions are recognised.
      if (tmpl.marker().find_first_not_of(" \t") == std::string::npos)
        return t.fail(node, name +
                                ": header and generator_header must start with the same "
                                "fixed text before their first placeholder");
      config.templates[profile][language] = std::move(tmpl);
    }
  }
  return true;
}

bool read_validate(const TableReader& top, ValidateMode& out) {
  const toml::node* node = top.table.get("validate");
  if (!node) return true;
  if (const auto* flag = node->as_boolean()) {
    out = flag->get() ? ValidateMode::kNormal : ValidateMode::kOff;
    return true;
  }
  if (!node->is_string()) return top.wrong_type(*node, "validate", "a string or a boolean");
  const std::string& text = node->as_string()->get();
  if (text == "off")
    out = ValidateMode::kOff;
  else if (text == "normal")
    out = ValidateMode::kNormal;
  else if (text == "strict")
    out = ValidateMode::kStrict;
  else
    return top.fail(*node,
                    "'validate' must be \"off\", \"normal\" or \"strict\", not \"" + text + "\"");
  return true;
}

bool read_trace(const TableReader& top, Config& config) {
  const toml::table* trace = nullptr;
  if (!top.table_at("trace", trace)) return false;
  if (!trace) return true;
  TableReader t = top.nested(*trace, "trace");
  if (!t.only_keys({"enabled", "level", "console"}) || !t.boolean("enabled", config.debug_trace) ||
      !t.string("level", config.trace_level) || !t.boolean("console", config.trace_console))
    return false;
  config.trace_level = upper(config.trace_level);
  if (!kTraceLevels.count(config.trace_level))
    return t.fail(*trace->get("level"),
                  "'trace.level' must be TRACE, DEBUG, INFO, WARNING or ERROR");
  return true;
}

bool read_llm(const TableReader& top, LlmSettings& llm) {
  const toml::table* table = nullptr;
  if (!top.table_at("llm", table)) return false;
  if (!table) return true;
  TableReader l = top.nested(*table, "llm");
  if (const toml::node* key = table->get("api_key"))
    return l.fail(*key, "API keys are refused in " + l.file.path.filename().string() +
                            ": keys belong in the environment or .env (OPENAI_API_KEY, "
                            "ANTHROPIC_API_KEY)");
  return l.only_keys({"enabled", "provider", "model", "base_url", "timeout", "budget"}) &&
         l.boolean("enabled", llm.enabled) && l.string("provider", llm.provider) &&
         l.string("model", llm.model) && l.string("base_url", llm.base_url) &&
         l.number("timeout", true, llm.timeout_seconds) &&
         l.number("budget", false, llm.budget_usd);
}

Result<void> apply_file(const FileSource& file, Config& config) {
  std::string error;
  TableReader top{file, file.table(), "", &error};
  std::string cache_dir;
  const toml::table* templates = nullptr;
  bool ok =
      top.only_keys({"profile", "include", "exclude", "exclude_functions", "min_function_lines",
                     "max_file_bytes", "cache_dir", "jobs", "validate", "max_retries", "trace",
                     "llm", "templates", "remote_cache", "remote_cache_timeout"}) &&
      top.string("profile", config.profile) && top.strings("include", config.include) &&
      top.strings("exclude", config.exclude) &&
      top.strings("exclude_functions", config.exclude_functions) &&
      top.integer("min_function_lines", 0, config.min_function_lines) &&
      top.integer("max_file_bytes", 1, config.max_file_bytes) &&
      top.string("cache_dir", cache_dir) && top.integer("jobs", 0, config.jobs) &&
      read_validate(top, config.validate) && top.integer("max_retries", 0, config.max_retries) &&
      read_trace(top, config) && read_llm(top, config.llm) &&
      top.string("remote_cache", config.remote_cache.url) &&
      top.number("remote_cache_timeout", true, config.remote_cache.timeout_seconds) &&
      top.table_at("templates", templates) &&
      (!templates || read_templates(top.nested(*templates, "templates"), config));
  if (ok && !is_profile_name(config.profile))
    ok = top.fail(*file.table().get("profile"),
                  "'profile' may hold only letters, digits, '_' and '-'");
  if (ok && url_has_credentials(config.remote_cache.url))
    ok = top.fail(*file.table().get("remote_cache"),
                  "'remote_cache' must not hold credentials (a file is committed and shared): "
                  "give the password in TELINJECT_REMOTE_CACHE_PASSWORD, or the whole URL in "
                  "TELINJECT_REMOTE_CACHE");
  if (ok && file.table().get("cache_dir") && cache_dir.empty())
    ok = top.fail(*file.table().get("cache_dir"), "'cache_dir' must not be empty");
  if (!ok) return make_error(error);
  if (!cache_dir.empty()) config.cache_dir = file.path.parent_path() / cache_dir;  // absolute stays
  return {};
}

// Parses `path` (made absolute); for a pyproject.toml keeps only [tool.telinject], and gives
// nothing when that table is absent.
Result<std::optional<FileSource>> read_config_file(const fs::path& given) {
  std::error_code ec;
  fs::path path = fs::absolute(given, ec).lexically_normal();
  auto text = read_file(path);
  if (!text.ok()) return make_error(text.error());
  toml::table table;
#if TOML_EXCEPTIONS
  try {
    table = toml::parse(*text, path.string());
  } catch (const toml::parse_error& e) {
    return make_error(located(path, e.source()) + std::string(e.description()));
  }
#else
  toml::parse_result parsed = toml::parse(*text, path.string());
  if (!parsed)
    return make_error(located(path, parsed.error().source()) +
                      std::string(parsed.error().description()));
  table = std::move(parsed).table();
#endif
  if (path.filename() != "pyproject.toml")
    return std::optional<FileSource>(FileSource{path, std::move(table)});
  const toml::node* tool = table["tool"]["telinject"].node();
  if (!tool) return std::optional<FileSource>();
  if (!tool->is_table()) return make_error(path.string() + ": [tool.telinject] must be a table");
  return std::optional<FileSource>(FileSource{path, std::move(table), true});
}

// From `directory` up: `.telinject.toml`, then a pyproject.toml with [tool.telinject]; the
// directory holding `.git` is the last one searched.
Result<std::optional<FileSource>> find_config_file(const fs::path& start) {
  std::error_code ec;
  fs::path directory = fs::absolute(start, ec).lexically_normal();
  if (!directory.has_filename()) directory = directory.parent_path();  // "a/b/" -> "a/b"
  for (;;) {
    for (const char* name : {".telinject.toml", "pyproject.toml"}) {
      fs::path candidate = directory / name;
      if (!fs::is_regular_file(candidate, ec)) continue;
      auto found = read_config_file(candidate);
      if (!found.ok() || *found) return found;
    }
    if (fs::exists(directory / ".git", ec)) break;
    fs::path parent = directory.parent_path();
    if (parent == directory || parent.empty()) break;
    directory = parent;
  }
  return std::optional<FileSource>();
}

std::optional<bool> parse_flag(std::string_view text) {
  std::string t = lower(text);
  if (t == "1" || t == "true" || t == "yes") return true;
  if (t == "0" || t == "false" || t == "no") return false;
  return std::nullopt;
}

Result<void> apply_environment(const std::map<std::string, std::string>& env, Config& config) {
  // Empty variables count as unset.
  auto get = [&](const char* key) -> const std::string* {
    auto it = env.find(key);
    return it == env.end() || it->second.empty() ? nullptr : &it->second;
  };
  if (auto v = get("TELINJECT_PROFILE")) {
    if (!is_profile_name(*v))
      return make_error("TELINJECT_PROFILE may hold only letters, digits, '_' and '-'");
    config.profile = *v;
  }
  if (auto v = get("TELINJECT_CACHE_DIR")) config.cache_dir = *v;
  if (auto v = get("MAX_PARALLEL")) {
    uint32_t n = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || end != v->data() + v->size() || n == 0)
      return make_error("MAX_PARALLEL must be a positive integer, not '" + *v + "'");
    config.jobs = n;
  }
  if (auto v = get("DEBUG_TRACE")) {
    auto flag = parse_flag(*v);
    if (!flag) return make_error("DEBUG_TRACE must be true/false, 1/0 or yes/no, not '" + *v + "'");
    config.debug_trace = *flag;
  }
  if (auto v = get("DEBUG_TRACE_LEVEL")) {
    std::string level = upper(*v);
    if (!kTraceLevels.count(level))
      return make_error("DEBUG_TRACE_LEVEL must be TRACE, DEBUG, INFO, WARNING or ERROR, not '" +
                        *v + "'");
    config.trace_level = level;
  }
  if (auto v = get("LLM_ENABLED")) {
    auto flag = parse_flag(*v);
    if (!flag) return make_error("LLM_ENABLED must be true/false, 1/0 or yes/no, not '" + *v + "'");
    config.llm.enabled = *flag;
  }
  if (auto v = get("LLM_PROVIDER")) config.llm.provider = *v;
  if (auto v = get("LLM_MODEL")) config.llm.model = *v;
  if (auto v = get("LLM_BASE_URL")) config.llm.base_url = *v;
  if (auto v = get("LLM_TIMEOUT")) {
    double seconds = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), seconds);
    if (ec != std::errc() || end != v->data() + v->size() || !std::isfinite(seconds) ||
        seconds <= 0)
      return make_error("LLM_TIMEOUT must be a positive number of seconds, not '" + *v + "'");
    config.llm.timeout_seconds = seconds;
  }
  if (auto v = get("TELINJECT_REMOTE_CACHE")) config.remote_cache.url = *v;
  if (auto v = get("TELINJECT_REMOTE_CACHE_PASSWORD")) config.remote_cache.password = *v;
  if (auto v = get("TELINJECT_REMOTE_CACHE_TIMEOUT")) {
    double seconds = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), seconds);
    if (ec != std::errc() || end != v->data() + v->size() || !std::isfinite(seconds) ||
        seconds <= 0)
      return make_error(
          "TELINJECT_REMOTE_CACHE_TIMEOUT must be a positive number of seconds, "
          "not '" +
          *v + "'");
    config.remote_cache.timeout_seconds = seconds;
  }
  const std::string* openai = get("OPENAI_API_KEY");
  const std::string* anthropic = get("ANTHROPIC_API_KEY");
  if (config.llm.provider.empty())
    config.llm.provider = openai ? "openai" : anthropic ? "anthropic" : "";
  if (config.llm.provider == "openai" && openai) config.llm.api_key = *openai;
  if (config.llm.provider == "anthropic" && anthropic) config.llm.api_key = *anthropic;
  return {};
}

constexpr const char* kEnvironmentKeys[] = {"TELINJECT_PROFILE",
                                            "TELINJECT_CACHE_DIR",
                                            "MAX_PARALLEL",
                                            "DEBUG_TRACE",
                                            "DEBUG_TRACE_LEVEL",
                                            "LLM_PROVIDER",
                                            "LLM_MODEL",
                                            "LLM_BASE_URL",
                                            "LLM_TIMEOUT",
                                            "OPENAI_API_KEY",
                                            "ANTHROPIC_API_KEY",
                                            "LLM_ENABLED",
                                            "TELINJECT_REMOTE_CACHE",
                                            "TELINJECT_REMOTE_CACHE_PASSWORD",
                                            "TELINJECT_REMOTE_CACHE_TIMEOUT"};

bool uses_any(const std::map<std::string, std::string>& env) {
  for (const char* key : kEnvironmentKeys) {
    auto it = env.find(key);
    if (it != env.end() && !it->second.empty()) return true;
  }
  return false;
}

bool is_variable_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

// The value after `=`: quoted ('...' literal, "..." with \n \t \" \\ escapes) or bare (ended by
// a `#` that follows whitespace). Returns false with `*error` set on a malformed value.
bool dotenv_value(std::string_view raw, std::string& out, std::string* error) {
  size_t start = raw.find_first_not_of(" \t");
  // "KEY= # note" is empty; "KEY=#x" is "#x" (a comment needs whitespace before it).
  if (start == std::string_view::npos || (raw[start] == '#' && start > 0)) {
    out.clear();
    return true;
  }
  std::string_view value = raw.substr(start);
  char quote = value[0];
  if (quote != '"' && quote != '\'') {
    size_t end = value.size();
    for (size_t i = 1; i < value.size(); ++i)
      if (value[i] == '#' && (value[i - 1] == ' ' || value[i - 1] == '\t')) {
        end = i;
        break;
      }
    value = value.substr(0, end);
    out = std::string(value.substr(0, value.find_last_not_of(" \t") + 1));
    return true;
  }
  out.clear();
  size_t i = 1;
  for (; i < value.size() && value[i] != quote; ++i) {
    if (quote == '"' && value[i] == '\\' && i + 1 < value.size()) {
      char next = value[++i];
      if (next == 'n')
        out.push_back('\n');
      else if (next == 't')
        out.push_back('\t');
      else if (next == '"' || next == '\\')
        out.push_back(next);
      else
        out.append({'\\', next});  // other escapes are kept as written
    } else {
      out.push_back(value[i]);
    }
  }
  if (i >= value.size()) return *error = std::string("unterminated ") + quote + " quote", false;
  std::string_view rest = value.substr(i + 1);
  size_t junk = rest.find_first_not_of(" \t");
  if (junk != std::string_view::npos && rest[junk] != '#')
    return *error = "text after the closing quote", false;
  return true;
}

Result<std::map<std::string, std::string>> parse_dotenv_named(const std::string& text,
                                                              const std::string& name) {
  std::map<std::string, std::string> values;
  std::string_view rest = text;
  for (int line_number = 1; !rest.empty(); ++line_number) {
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    line.remove_prefix(first);
    if (line.substr(0, 7) == "export " || line.substr(0, 7) == "export\t")
      line.remove_prefix(line.find_first_not_of(" \t", 7));
    std::string where = name + ":" + std::to_string(line_number) + ": ";
    size_t equals = line.find('=');
    if (equals == std::string_view::npos) return make_error(where + "expected KEY=VALUE");
    std::string_view key = line.substr(0, equals);
    key = key.substr(0, key.find_last_not_of(" \t") + 1);
    if (!is_variable_name(key))
      return make_error(where + "'" + std::string(key) + "' is not a variable name");
    std::string value, error;
    if (!dotenv_value(line.substr(equals + 1), value, &error)) return make_error(where + error);
    values[std::string(key)] = std::move(value);
  }
  return values;
}

}  // namespace

Result<std::map<std::string, std::string>> parse_dotenv(const std::string& text) {
  return parse_dotenv_named(text, ".env");
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view item = *entry;
    size_t equals = item.find('=');
    if (equals != std::string_view::npos)
      env.emplace(std::string(item.substr(0, equals)), std::string(item.substr(equals + 1)));
  }
  return env;
}

Result<Config> load_config(const fs::path& project_dir,
                           const std::optional<fs::path>& explicit_file,
                           const std::map<std::string, std::string>& environment) {
  Config config;
  config.sources.push_back("defaults");
  auto file = explicit_file ? read_config_file(*explicit_file) : find_config_file(project_dir);
  if (!file.ok()) return make_error(file.error());
  if (explicit_file && !*file)
    return make_error(explicit_file->string() + ": no [tool.telinject] table");
  if (*file) {
    auto applied = apply_file(**file, config);
    if (!applied.ok()) return make_error(applied.error());
    config.sources.push_back((*file)->path.string());
  }

  std::map<std::string, std::string> merged = environment;
  std::error_code ec;
  fs::path dotenv = project_dir / ".env";
  if (fs::is_regular_file(dotenv, ec)) {
    auto text = read_file(dotenv);
    if (!text.ok()) return make_error(text.error());
    auto values = parse_dotenv_named(*text, dotenv.string());
    if (!values.ok()) return make_error(values.error());
    for (auto& [key, value] : *values)
      merged.emplace(key, std::move(value));  // the real environment wins
    config.sources.push_back(".env");
  }
  auto applied = apply_environment(merged, config);
  if (!applied.ok()) return make_error(applied.error());
  if (uses_any(environment)) config.sources.push_back("environment");
  return config;
}

}  // namespace telinject
