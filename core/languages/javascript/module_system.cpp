#include "javascript/module_system.h"

#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

namespace telinject::javascript {
namespace {

// "module", "commonjs" or "" (no package.json up to the file system root) per directory.
std::optional<std::string> read_package_type(const std::filesystem::path& directory) {
  std::filesystem::path manifest = directory / "package.json";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(manifest, ec)) return std::nullopt;
  std::ifstream in(manifest, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  std::string type = package_type(text.str());
  return type.empty() ? "commonjs" : type;
}

std::string nearest_package_type(std::filesystem::path directory) {
  static std::mutex mutex;
  static std::map<std::filesystem::path, std::string> cache;
  std::vector<std::filesystem::path> visited;
  std::string found;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto hit = cache.find(directory);
      if (hit != cache.end()) {
        found = hit->second;
        break;
      }
    }
    visited.push_back(directory);
    if (auto type = read_package_type(directory)) {
      found = *type;
      break;
    }
    std::filesystem::path parent = directory.parent_path();
    if (parent == directory || parent.empty()) break;
    directory = parent;
  }
  std::lock_guard<std::mutex> lock(mutex);
  for (const auto& path : visited) cache[path] = found;
  return found;
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
  std::filesystem::path directory = (file.root / file.relative).parent_path().lexically_normal();
  return nearest_package_type(std::filesystem::absolute(directory)) == "module";
}

std::string helper_specifier(const FileLocation& file, const std::string& helper) {
  std::string out;
  for (const auto& part : file.relative.parent_path()) {
    if (part == "." || part.empty()) continue;
    out += "../";
  }
  return (out.empty() ? "./" : out) + helper;
}

}  // namespace telinject::javascript
