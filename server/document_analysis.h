// DocumentAnalysis: where open documents are parsed and their functions extracted, off the
// path of requests. One serial executor per document over a pool of its own: documents are
// analysed side by side, one document's versions in order.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <map>
#include <string>

#include "document.h"

namespace telinject::server {

class DocumentAnalysis {
 public:
  /// `threads` = 0: no thread; every analysis runs at once, on the caller's thread.
  explicit DocumentAnalysis(size_t threads);
  /// Waits for the analyses given (join()).
  ~DocumentAnalysis();

  /// The serial executor of `uri` (made on first use), for make_snapshot and edit_snapshot.
  /// Call on one thread (the session's io thread).
  ParseExecutor executor(const std::string& uri);
  /// `uri` was closed: its executor finishes what it was given, a reopened document gets a
  /// new one. Same thread as executor().
  void forget(const std::string& uri);

  /// Calls `start` once `snapshot` is analysed: at once when it is (or has nothing to
  /// analyse), else on the analysis thread right after its analysis, so that no thread waits
  /// for it. `start` should only hand work on (post it to a pool). Thread-safe.
  static void when_analysed(const DocumentSnapshot& snapshot, std::function<void()> start);

  /// Waits until every analysis given so far has run.
  void join();

 private:
  bool synchronous_;
  boost::asio::thread_pool pool_;
  std::map<std::string, ParseExecutor> executors_;
};

}  // namespace telinject::server
