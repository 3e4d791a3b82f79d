#include "config.h"

#include <regex>
#include <set>
#include <toml++/toml.h>

#include "atomic_file.h"

extern char** environ;

namespace telinject {
namespace {

namespace fs = std::filesystem;

const std::set<std::string> kTopKeys = {"profile", "include", "exclude", "exclude_functions",
                                        "min_function_lines", "max_file_bytes", "cache_dir",
                                        "jobs", "validate", "max_retries", "trace", "llm",
                                        "templates"};

struct FileSource {
  fs::path path;
  toml::table table;  // the telinject table (the whole file, or [tool.telinject])
};

std::string where(const fs::path& file, const toml::node& node) {
  const auto& source = node.source();
  return file.filename().string() + ":" + std::to_string(source.begin.line);
}

Result<std::vector<std::string>> string_list(const fs::path& file, const toml::table& table,
                                             const std::string& key) {
  std::vector<std::string> out;
  const toml::node* node = table.get(key);
  if (!node) return out;
  const toml::array* array = node->as_array();
  if (!array) return make_error(where(file, *node) + ": '" + key + "' must be an array of strings");
  for (const auto& item : *array) {
    auto value = item.value<std::string>();
    if (!value) return make_error(where(file, item) + ": '" + key + "' must be an array of strings");
    out.push_back(*value);
  }
  return out;
}

template <class T>
Result<std::optional<T>> scalar(const fs::path& file, const toml::table& table, const std::string& key,
                                const char* type_name) {
  const toml::node* node = table.get(key);
  if (!node) return std::optional<T>();
  auto value = node->value<T>();
  if (!value) return make_error(where(file, *node) + ": '" + key + "' must be " + type_name);
  return std::optional<T>(*value);
}

Result<void> check_keys(const fs::path& file, const toml::table& table,
                        const std::set<std::string>& allowed, const std::string& section) {
  for (const auto& [key, node] : table) {
    std::string name(key.str());
    if (!allowed.count(name))
      return make_error(where(file, node) + ": unknown key '" + section + name + "' in " +
                        file.filename().string());
  }
  return {};
}

Result<ValidateMode> parse_validate(const std::string& text) {
  if (text == "off" || text == "false") return ValidateMode::kOff;
  if (text == "normal" || text == "true") return ValidateMode::kNormal;
  if (text == "strict") return ValidateMode::kStrict;
  return make_error("validate must be \"off\", \"normal\" or \"strict\", not \"" + text + "\"");
}

Result<void> apply_templates(const fs::path& file, const toml::table& templates, Config& config) {
  static const std::regex kProfileName("[A-Za-z0-9_-]+");
  for (const auto& [profile_key, profile_node] : templates) {
    std::string profile(profile_key.str());
    if (!std::regex_match(profile, kProfileName))
      return make_error(where(file, profile_node) + ": profile name '" + profile +
                        "' may hold only letters, digits, '_' and '-'");
    const toml::table* by_language = profile_node.as_table();
    if (!by_language) return make_error(where(file, profile_node) + ": [templates." + profile + "] must be a table");
    for (const auto& [language_key, node] : *by_language) {
      std::string language(language_key.str());
      const toml::table* t = node.as_table();
      if (!t) return make_error(where(file, node) + ": [templates." + profile + "." + language + "] must be a table");
      auto keys = check_keys(file, *t, {"import", "header", "generator_header", "runtime"},
                             "templates." + profile + "." + language + ".");
      if (!keys.ok()) return keys;
      LanguageTemplate tmpl;
      tmpl.profile = profile;
      tmpl.import_line = t->get("import") ? t->get("import")->value_or(std::string()) : "";
      tmpl.header = t->get("header") ? t->get("header")->value_or(std::string()) : "";
      tmpl.generator_header =
          t->get("generator_header") ? t->get("generator_header")->value_or(std::string()) : "";
      tmpl.needs_runtime = t->get("runtime") ? t->get("runtime")->value_or(false) : false;
      std::string name = "templates." + profile + "." + language;
      if (tmpl.header.empty() || tmpl.import_line.empty())
        return make_error(where(file, node) + ": " + name + " needs 'import' and 'header'");
      if (tmpl.header.find("{name}") == std::string::npos && tmpl.header.find("{qualname}") == std::string::npos)
        return make_error(where(file, node) + ": " + name + ".header must contain {name} or {qualname}");
      for (const std::string* text : {&tmpl.header, &tmpl.generator_header, &tmpl.import_line})
        if (text->find('\n') != std::string::npos || text->find('\r') != std::string::npos)
          return make_error(where(file, node) + ": " + name + " texts must be single lines");
      if (tmpl.header.find('{') == 0)
        return make_error(where(file, node) + ": " + name + ".header must start with fixed text (it marks instrumented functions)");
      config.templates[profile][language] = tmpl;
    }
  }
  return {};
}

Result<void> apply_file(const FileSource& source, Config& config) {
  const fs::path& file = source.path;
  const toml::table& table = source.table;
  auto keys = check_keys(file, table, kTopKeys, "");
  if (!keys.ok()) return keys;

  auto profile = scalar<std::string>(file, table, "profile", "a string");
  if (!profile.ok()) return make_error(profile.error());
  if (*profile) config.profile = **profile;
  for (auto [key, target] : {std::pair{"include", &config.include}, std::pair{"exclude", &config.exclude},
                             std::pair{"exclude_functions", &config.exclude_functions}}) {
    auto list = string_list(file, table, key);
    if (!list.ok()) return make_error(list.error());
    if (table.get(key)) *target = *list;
  }
  auto min_lines = scalar<int64_t>(file, table, "min_function_lines", "an integer");
  if (!min_lines.ok()) return make_error(min_lines.error());
  if (*min_lines) config.min_function_lines = static_cast<uint32_t>(std::max<int64_t>(0, **min_lines));
  auto max_bytes = scalar<int64_t>(file, table, "max_file_bytes", "an integer");
  if (!max_bytes.ok()) return make_error(max_bytes.error());
  if (*max_bytes) config.max_file_bytes = static_cast<uint64_t>(std::max<int64_t>(1, **max_bytes));
  auto cache_dir = scalar<std::string>(file, table, "cache_dir", "a string");
  if (!cache_dir.ok()) return make_error(cache_dir.error());
  if (*cache_dir) {
    fs::path dir = **cache_dir;
    config.cache_dir = dir.is_absolute() ? dir : file.parent_path() / dir;
  }
  auto jobs = scalar<int64_t>(file, table, "jobs", "an integer");
  if (!jobs.ok()) return make_error(jobs.error());
  if (*jobs) config.jobs = static_cast<uint32_t>(std::max<int64_t>(0, **jobs));
  auto retries = scalar<int64_t>(file, table, "max_retries", "an integer");
  if (!retries.ok()) return make_error(retries.error());
  if (*retries) config.max_retries = static_cast<uint32_t>(std::max<int64_t>(0, **retries));
  if (const toml::node* validate = table.get("validate")) {
    std::string text;
    if (auto b = validate->value<bool>()) text = *b ? "true" : "false";
    else if (auto s = validate->value<std::string>()) text = *s;
    else return make_error(where(file, *validate) + ": 'validate' must be a string or a boolean");
    auto mode = parse_validate(text);
    if (!mode.ok()) return make_error(where(file, *validate) + ": " + mode.error());
    config.validate = *mode;
  }
  if (const toml::node* trace_node = table.get("trace")) {
    const toml::table* trace = trace_node->as_table();
    if (!trace) return make_error(where(file, *trace_node) + ": [trace] must be a table");
    auto trace_keys = check_keys(file, *trace, {"enabled", "level", "console"}, "trace.");
    if (!trace_keys.ok()) return trace_keys;
    if (auto v = trace->get("enabled")) config.debug_trace = v->value_or(config.debug_trace);
    if (auto v = trace->get("level")) config.trace_level = v->value_or(config.trace_level);
    if (auto v = trace->get("console")) config.trace_console = v->value_or(config.trace_console);
  }
  if (const toml::node* llm_node = table.get("llm")) {
    const toml::table* llm = llm_node->as_table();
    if (!llm) return make_error(where(file, *llm_node) + ": [llm] must be a table");
    if (llm->get("api_key"))
      return make_error(where(file, *llm->get("api_key")) +
                        ": API keys do not belong in the config file; set OPENAI_API_KEY or "
                        "ANTHROPIC_API_KEY in the environment or .env");
    auto llm_keys = check_keys(file, *llm, {"provider", "model", "base_url", "timeout", "budget"}, "llm.");
    if (!llm_keys.ok()) return llm_keys;
    if (auto v = llm->get("provider")) config.llm.provider = v->value_or(std::string());
    if (auto v = llm->get("model")) config.llm.model = v->value_or(std::string());
    if (auto v = llm->get("base_url")) config.llm.base_url = v->value_or(std::string());
    if (auto v = llm->get("timeout")) config.llm.timeout_seconds = v->value_or(0.0);
    if (auto v = llm->get("budget")) config.llm.budget_usd = v->value_or(0.0);
  }
  if (const toml::node* templates = table.get("templates")) {
    const toml::table* t = templates->as_table();
    if (!t) return make_error(where(file, *templates) + ": [templates] must be a table");
    auto applied = apply_templates(file, *t, config);
    if (!applied.ok()) return applied;
  }
  return {};
}

// Parses `path`; for pyproject.toml returns only [tool.telinject] (nothing when absent).
Result<std::optional<FileSource>> read_config_file(const fs::path& path) {
  auto text = read_file(path);
  if (!text.ok()) return make_error(text.error());
  toml::table table;
  try {
    table = toml::parse(*text, path.string());
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    return make_error(path.string() + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                      ": " + std::string(e.description()));
  }
  if (path.filename() == "pyproject.toml") {
    const toml::table* tool = table["tool"]["telinject"].as_table();
    if (!tool) return std::optional<FileSource>();
    return std::optional<FileSource>(FileSource{path, *tool});
  }
  return std::optional<FileSource>(FileSource{path, std::move(table)});
}

Result<std::optional<FileSource>> find_config_file(fs::path directory) {
  std::error_code ec;
  directory = fs::absolute(directory, ec).lexically_normal();
  for (;;) {
    for (const char* name : {".telinject.toml", "pyproject.toml"}) {
      fs::path candidate = directory / name;
      if (!fs::is_regular_file(candidate, ec)) continue;
      auto found = read_config_file(candidate);
      if (!found.ok() || *found) return found;
    }
    if (fs::exists(directory / ".git", ec) || directory == directory.root_path() || !directory.has_parent_path())
      break;
    fs::path parent = directory.parent_path();
    if (parent == directory) break;
    directory = parent;
  }
  return std::optional<FileSource>();
}

std::optional<bool> parse_bool(const std::string& text) {
  std::string t;
  for (char c : text) t.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (t == "1" || t == "true" || t == "yes" || t == "on") return true;
  if (t == "0" || t == "false" || t == "no" || t == "off" || t.empty()) return false;
  return std::nullopt;
}

Result<void> apply_environment(const std::map<std::string, std::string>& env, Config& config) {
  auto get = [&](const char* key) -> const std::string* {
    auto it = env.find(key);
    return it == env.end() ? nullptr : &it->second;
  };
  if (auto v = get("TELINJECT_PROFILE"); v && !v->empty()) config.profile = *v;
  if (auto v = get("TELINJECT_CACHE_DIR"); v && !v->empty()) config.cache_dir = *v;
  if (auto v = get("MAX_PARALLEL"); v && !v->empty()) {
    char* end = nullptr;
    long n = std::strtol(v->c_str(), &end, 10);
    if (*end != '\0' || n <= 0) return make_error("MAX_PARALLEL must be a positive integer, not '" + *v + "'");
    config.jobs = static_cast<uint32_t>(n);
  }
  if (auto v = get("DEBUG_TRACE")) {
    auto b = parse_bool(*v);
    if (!b) return make_error("DEBUG_TRACE must be true or false, not '" + *v + "'");
    config.debug_trace = *b;
  }
  if (auto v = get("DEBUG_TRACE_LEVEL"); v && !v->empty()) {
    static const std::set<std::string> kLevels = {"TRACE", "DEBUG", "INFO", "WARNING", "ERROR"};
    if (!kLevels.count(*v)) return make_error("DEBUG_TRACE_LEVEL must be TRACE, DEBUG, INFO, WARNING or ERROR");
    config.trace_level = *v;
  }
  if (auto v = get("LLM_PROVIDER"); v && !v->empty()) config.llm.provider = *v;
  if (auto v = get("LLM_MODEL"); v && !v->empty()) config.llm.model = *v;
  if (auto v = get("LLM_BASE_URL"); v && !v->empty()) config.llm.base_url = *v;
  if (auto v = get("LLM_TIMEOUT"); v && !v->empty()) {
    char* end = nullptr;
    double seconds = std::strtod(v->c_str(), &end);
    if (*end != '\0' || seconds <= 0) return make_error("LLM_TIMEOUT must be a number of seconds");
    config.llm.timeout_seconds = seconds;
  }
  const std::string* openai = get("OPENAI_API_KEY");
  const std::string* anthropic = get("ANTHROPIC_API_KEY");
  if (config.llm.provider.empty()) {
    if (openai && !openai->empty()) config.llm.provider = "openai";
    else if (anthropic && !anthropic->empty()) config.llm.provider = "anthropic";
  }
  if (config.llm.provider == "openai" && openai) config.llm.api_key = *openai;
  if (config.llm.provider == "anthropic" && anthropic) config.llm.api_key = *anthropic;
  return {};
}

std::string unquote_double(const std::string& body) {
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\\' && i + 1 < body.size()) {
      char next = body[++i];
      out.push_back(next == 'n' ? '\n' : next == 't' ? '\t' : next);
    } else {
      out.push_back(body[i]);
    }
  }
  return out;
}

}  // namespace

Result<std::map<std::string, std::string>> parse_dotenv(const std::string& text) {
  std::map<std::string, std::string> values;
  static const std::regex kKey("[A-Za-z_][A-Za-z0-9_]*");
  size_t start = 0;
  int line_number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    line = line.substr(first);
    if (line.rfind("export ", 0) == 0) line = line.substr(7);
    size_t equals = line.find('=');
    std::string where = ".env:" + std::to_string(line_number) + ": ";
    if (equals == std::string::npos) return make_error(where + "expected KEY=VALUE");
    std::string key = line.substr(0, equals);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
    if (!std::regex_match(key, kKey)) return make_error(where + "invalid variable name '" + key + "'");
    std::string value = line.substr(equals + 1);
    size_t value_start = value.find_first_not_of(" \t");
    value = value_start == std::string::npos ? "" : value.substr(value_start);
    if (!value.empty() && (value[0] == '"' || value[0] == '\'')) {
      char quote = value[0];
      size_t close = 1;
      while (close < value.size() && !(value[close] == quote && (quote == '\'' || value[close - 1] != '\\')))
        ++close;
      if (close >= value.size()) return make_error(where + "unterminated quote");
      std::string body = value.substr(1, close - 1);
      std::string rest = value.substr(close + 1);
      size_t junk = rest.find_first_not_of(" \t");
      if (junk != std::string::npos && rest[junk] != '#') return make_error(where + "text after the closing quote");
      value = quote == '"' ? unquote_double(body) : body;
    } else {
      size_t comment = value.find(" #");
      if (comment != std::string::npos) value = value.substr(0, comment);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    }
    values[key] = value;
  }
  return values;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string item = *entry;
    size_t equals = item.find('=');
    if (equals != std::string::npos) env[item.substr(0, equals)] = item.substr(equals + 1);
  }
  return env;
}

Result<Config> load_config(const fs::path& project_dir, const std::optional<fs::path>& explicit_file,
                           const std::map<std::string, std::string>& environment) {
  Config config;
  config.sources.push_back("defaults");
  Result<std::optional<FileSource>> file = explicit_file ? read_config_file(*explicit_file)
                                                         : find_config_file(project_dir);
  if (!file.ok()) return make_error(file.error());
  if (explicit_file && !*file)
    return make_error(explicit_file->string() + ": no [tool.telinject] table");
  if (*file) {
    auto applied = apply_file(**file, config);
    if (!applied.ok()) return make_error(applied.error());
    config.sources.push_back(fs::absolute((*file)->path).string());
  }
  std::map<std::string, std::string> env = environment;
  std::error_code ec;
  fs::path dotenv = project_dir / ".env";
  if (fs::is_regular_file(dotenv, ec)) {
    auto text = read_file(dotenv);
    if (!text.ok()) return make_error(text.error());
    auto values = parse_dotenv(*text);
    if (!values.ok()) return make_error(dotenv.string() + ": " + values.error());
    for (const auto& [key, value] : *values) env.emplace(key, value);  // the real environment wins
    config.sources.push_back(".env");
  }
  auto applied = apply_environment(env, config);
  if (!applied.ok()) return make_error(applied.error());
  config.sources.push_back("environment");
  return config;
}

}  // namespace telinject
