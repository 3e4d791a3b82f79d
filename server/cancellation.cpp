#include "cancellation.h"

namespace telinject::server {

using nlohmann::json;

CancellationRegistry::Flag CancellationRegistry::add(const json& id) {
  auto flag = std::make_shared<std::atomic<bool>>(false);
  std::lock_guard lock(mutex_);
  requests_[id.dump()] = Entry{flag, {}};
  return flag;
}

CancellationRegistry::Flag CancellationRegistry::flag(const json& id) const {
  std::lock_guard lock(mutex_);
  auto it = requests_.find(id.dump());
  return it != requests_.end() ? it->second.flag : std::make_shared<std::atomic<bool>>(false);
}

void CancellationRegistry::cancel(const json& id) {
  std::lock_guard lock(mutex_);
  if (auto it = requests_.find(id.dump()); it != requests_.end()) *it->second.flag = true;
}

void CancellationRegistry::link_progress(const json& id, const json& token) {
  std::lock_guard lock(mutex_);
  auto it = requests_.find(id.dump());
  if (it == requests_.end()) return;
  it->second.tokens.push_back(token.dump());
  progress_[token.dump()] = it->second.flag;
}

void CancellationRegistry::cancel_progress(const json& token) {
  std::lock_guard lock(mutex_);
  if (auto it = progress_.find(token.dump()); it != progress_.end()) *it->second = true;
}

void CancellationRegistry::cancel_all() {
  std::lock_guard lock(mutex_);
  for (auto& [key, entry] : requests_) *entry.flag = true;
}

void CancellationRegistry::erase(const json& id) {
  std::lock_guard lock(mutex_);
  auto it = requests_.find(id.dump());
  if (it == requests_.end()) return;
  for (const std::string& token : it->second.tokens) progress_.erase(token);
  requests_.erase(it);
}

size_t CancellationRegistry::size() const {
  std::lock_guard lock(mutex_);
  return requests_.size() + progress_.size();
}

}  // namespace telinject::server
