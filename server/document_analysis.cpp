#include "document_analysis.h"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

namespace telinject::server {

DocumentAnalysis::DocumentAnalysis(size_t threads) : synchronous_(threads == 0), pool_(threads) {}

DocumentAnalysis::~DocumentAnalysis() { join(); }

void DocumentAnalysis::join() { pool_.join(); }

ParseExecutor DocumentAnalysis::executor(const std::string& uri) {
  if (synchronous_) return [](std::function<void()> task) { task(); };
  auto [it, made] = executors_.try_emplace(uri);
  if (made) {
    auto strand = boost::asio::make_strand(pool_);
    it->second = [strand](std::function<void()> task) {
      boost::asio::post(strand, std::move(task));
    };
  }
  return it->second;
}

void DocumentAnalysis::forget(const std::string& uri) { executors_.erase(uri); }

void DocumentAnalysis::when_analysed(const DocumentSnapshot& snapshot,
                                     std::function<void()> start) {
  // The executor runs tasks in the order given: one given now runs after the analysis, which
  // was given when the snapshot was made.
  if (snapshot.analysed() || !snapshot.executor)
    start();
  else
    snapshot.executor(std::move(start));
}

}  // namespace telinject::server
