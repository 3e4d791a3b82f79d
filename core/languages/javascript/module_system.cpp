#include "javascript/module_system.h"

#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

namespace telinject::javascript {
namespace fs = std::filesystem;
namespace {

// What one directory says about the packages around it.
struct DirectoryFacts {
  bool has_manifest = false;  // a package.json
  bool named = false;         // ... with a "name"
  std::string type;           // its "type" ("commonjs" when it has none)
  bool repository_root = false;
};

struct CachedFacts {
  fs::file_time_type directory_time;
  fs::file_time_type manifest_time;  // min() without a package.json
  DirectoryFacts facts;
};

fs::file_time_type time_of(const fs::path& path) {
  std::error_code ec;
  fs::file_time_type time = fs::last_write_time(path, ec);
  return ec ? fs::file_time_type::min() : time;
}

DirectoryFacts read_facts(const fs::path& directory) {
  DirectoryFacts facts;
  std::error_code ec;
  facts.repository_root = fs::exists(directory / ".git", ec);
  fs::path manifest = directory / "package.json";
  if (!fs::is_regular_file(manifest, ec)) return facts;
  facts.has_manifest = true;
  std::ifstream in(manifest, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, false);
  if (!json.is_discarded() && json.is_object()) {
    auto name = json.find("name");
    facts.named = name != json.end() && name->is_string() && !name->get<std::string>().empty();
  }
  facts.type = package_type(text.str());
  if (facts.type.empty()) facts.type = "commonjs";
  return facts;
}

// The facts of `directory`, read again when it or its package.json changed since they were
// cached (a file appearing or going changes its directory's time). Two stat calls per use.
DirectoryFacts facts_of(const fs::path& directory) {
  static std::mutex mutex;
  static std::unordered_map<std::string, CachedFacts> cache;
  fs::file_time_type directory_time = time_of(directory);
  fs::file_time_type manifest_time = time_of(directory / "package.json");
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto hit = cache.find(directory.native());
    if (hit != cache.end() && hit->second.directory_time == directory_time &&
        hit->second.manifest_time == manifest_time)
      return hit->second.facts;
  }
  DirectoryFacts facts = read_facts(directory);
  std::lock_guard<std::mutex> lock(mutex);
  cache[directory.native()] = {directory_time, manifest_time, facts};
  return facts;
}

fs::path absolute_file(const FileLocation& file) {
  std::error_code ec;
  fs::path path = fs::absolute(file.root / file.relative, ec);
  return (ec ? file.root / file.relative : path).lexically_normal();
}

fs::path absolute_root(const FileLocation& file) {
  std::error_code ec;
  fs::path path = fs::absolute(file.root, ec);
  return (ec ? file.root : path).lexically_normal();
}

}  // namespace

std::string package_type(const std::string& package_json) {
  nlohmann::json manifest = nlohmann::json::parse(package_json, nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object()) return "";
  auto type = manifest.find("type");
  if (type == manifest.end() || !type->is_string()) return "";
  return type->get<std::string>();
}

bool is_es_module(const FileLocation& file) {
  std::string extension = file.relative.extension().string();
  if (extension == ".mjs" || extension == ".mts") return true;
  if (extension == ".cjs" || extension == ".cts") return false;
  if (file.root.empty()) return false;
  for (fs::path directory = absolute_file(file).parent_path();;) {
    DirectoryFacts facts = facts_of(directory);
    if (facts.has_manifest) return facts.type == "module";
    fs::path parent = directory.parent_path();
    if (parent == directory || parent.empty()) return false;
    directory = parent;
  }
}

fs::path package_root(const FileLocation& file) {
  if (file.root.empty()) return {};
  for (fs::path directory = absolute_file(file).parent_path();;) {
    DirectoryFacts facts = facts_of(directory);
    if (facts.named || facts.repository_root) return directory;
    fs::path parent = directory.parent_path();
    if (parent == directory || parent.empty()) return absolute_root(file);
    directory = parent;
  }
}

fs::path path_in_package(const FileLocation& file) {
  if (file.root.empty()) return file.relative.lexically_normal();
  return absolute_file(file).lexically_relative(package_root(file));
}

fs::path helper_path(const FileLocation& file, const std::string& helper) {
  if (file.root.empty()) return helper;
  return (package_root(file).lexically_relative(absolute_root(file)) / helper).lexically_normal();
}

std::string helper_specifier(const FileLocation& file, const std::string& helper) {
  fs::path directory = path_in_package(file).parent_path();
  std::string out;
  for (const auto& part : directory) {
    if (part == "." || part.empty()) continue;
    out += "../";
  }
  return (out.empty() ? "./" : out) + helper;
}

}  // namespace telinject::javascript
