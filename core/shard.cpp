#include "shard.h"

#include <charconv>
#include <vector>

#include "sha256.h"

namespace telinject {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kMaxShards = 65536;

bool read_number(std::string_view text, uint32_t& out) {
  if (text.empty() || text.size() > 6) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

fs::path absolute_normal(const fs::path& path) {
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  return (ec ? path : absolute).lexically_normal();
}

}  // namespace

Result<Shard> parse_shard(std::string_view text) {
  const std::string shown = "--shard '" + std::string(text) + "'";
  size_t slash = text.find('/');
  Shard shard;
  if (slash == std::string_view::npos || !read_number(text.substr(0, slash), shard.index) ||
      !read_number(text.substr(slash + 1), shard.count))
    return make_error(shown + ": expected I/N, two whole numbers (1/4 is the first of four)");
  if (shard.count == 0 || shard.count > kMaxShards)
    return make_error(shown + ": N must be between 1 and " + std::to_string(kMaxShards));
  if (shard.index == 0)
    return make_error(shown + ": shards are numbered from 1 (1/" + std::to_string(shard.count) +
                      " is the first)");
  if (shard.index > shard.count)
    return make_error(shown + ": I must not exceed N (the last shard is " +
                      std::to_string(shard.count) + "/" + std::to_string(shard.count) + ")");
  return shard;
}

bool shard_takes(const Shard& shard, std::string_view key) {
  if (shard.count <= 1) return true;
  std::string hex = sha256_hex(key).substr(0, 16);
  uint64_t value = 0;
  std::from_chars(hex.data(), hex.data() + hex.size(), value, 16);
  return value % shard.count == shard.index - 1;
}

fs::path ShardFilter::project_root(const fs::path& folder) {
  // Walk up to the first folder already known or holding .git; remember the answer for every
  // folder on the way, so that a tree of many files looks at each folder once.
  std::vector<fs::path> visited;
  fs::path root;
  for (fs::path at = folder;; at = at.parent_path()) {
    if (auto known = roots_.find(at); known != roots_.end()) {
      root = known->second;
      break;
    }
    visited.push_back(at);
    std::error_code ec;
    if (fs::exists(at / ".git", ec)) {
      root = at;
      break;
    }
    if (!at.has_relative_path()) break;  // the file system's root: no project root
  }
  for (const fs::path& folder_on_way : visited) roots_[folder_on_way] = root;
  return root;
}

std::string ShardFilter::key_of(const fs::path& file, const fs::path& scan_root) {
  fs::path absolute = absolute_normal(file);
  fs::path root = project_root(absolute.parent_path());
  if (root.empty()) {
    root = absolute_normal(scan_root);
    std::error_code ec;
    if (!fs::is_directory(root, ec)) root = root.parent_path();
  }
  return absolute.lexically_relative(root).generic_string();
}

bool ShardFilter::takes(const fs::path& file, const fs::path& scan_root) {
  return shard_takes(shard_, key_of(file, scan_root));
}

}  // namespace telinject
