// The requests in flight and their cancel flags ($/cancelRequest, the progress UI's cancel
// button, exit). One entry per request from the moment the session accepts it until it is
// answered: the dispatcher reports every answer (results, errors, InvalidParams,
// MethodNotFound, a dropped reply) and erase() is the one place an entry goes.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace telinject::server {

class CancellationRegistry {
 public:
  /// Set once the request is cancelled; work reads it at each unit of work (file, function).
  using Flag = std::shared_ptr<std::atomic<bool>>;

  /// Registers request `id` and returns its fresh flag (a reused id gets a new one).
  Flag add(const nlohmann::json& id);
  /// The flag of request `id`, or a fresh unset flag when it is not registered (answered
  /// already, or never accepted), so that callers need not check.
  Flag flag(const nlohmann::json& id) const;
  /// Cancels request `id`, if in flight.
  void cancel(const nlohmann::json& id);
  /// Lets `token` (a work-done progress token) cancel request `id` too; the link goes with
  /// the request.
  void link_progress(const nlohmann::json& id, const nlohmann::json& token);
  /// Cancels the request reporting progress on `token`, if any.
  void cancel_progress(const nlohmann::json& token);
  /// Cancels every request in flight (exit, or the client went away).
  void cancel_all();
  /// The request was answered: forgets it and its progress tokens.
  void erase(const nlohmann::json& id);
  /// Entries held: requests in flight and the progress tokens linked to them.
  size_t size() const;

 private:
  struct Entry {
    Flag flag;
    std::vector<std::string> tokens;  // progress tokens (JSON text) linked to it
  };
  mutable std::mutex mutex_;
  std::map<std::string, Entry> requests_;  // by id as JSON text (1 and "1" differ)
  std::map<std::string, Flag> progress_;   // progress token (JSON text) -> flag
};

}  // namespace telinject::server
