// libFuzzer target: bytes as they would come on stdin -> MessageReader (framing) -> Session
// (JSON-RPC dispatch and every bound method), synchronous (no thread but the script cache's
// writer), in memory. Checks that nothing crashes, hangs or leaks (ASan, UBSan) and that every
// message the server sends is JSON-RPC 2.0.
//
// The fuzzer must not make the server write outside its scratch directory: messages that could
// point it at real paths lose those fields (workspace folders, cache directory), so the cache is
// read-only (no workspace folder), and the methods that write next to a document
// (willSaveWaitUntil, executeCommand but cacheStats/clearCache) are dropped.
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "framing.h"
#include "session.h"

namespace {

using nlohmann::json;

void strip_paths(json& value) {
  if (value.is_object()) {
    for (const char* key : {"rootUri", "rootPath", "workspaceFolders", "cacheDirectory"})
      value.erase(key);
    for (auto& [_, child] : value.items()) strip_paths(child);
  } else if (value.is_array()) {
    for (json& child : value) strip_paths(child);
  }
}

// The body to hand to the session, or nothing to drop it. Bodies that are not JSON objects go
// through as they are (the dispatcher's parse errors are fuzzed too).
std::optional<std::string> sanitised(const std::string& body) {
  json message = json::parse(body, nullptr, false);
  if (message.is_discarded() || !message.is_object()) return body;
  auto method = message.find("method");
  if (method != message.end() && method->is_string()) {
    const std::string name = *method;
    if (name == "textDocument/willSaveWaitUntil") return std::nullopt;
    if (name == "workspace/executeCommand") {
      auto params = message.find("params");
      if (params == message.end() || !params->is_object() || !params->contains("command"))
        return std::nullopt;
      const json& command = (*params)["command"];
      if (command != "telinject.cacheStats" && command != "telinject.clearCache")
        return std::nullopt;
    }
  }
  strip_paths(message);
  return message.dump(-1, ' ', false, json::error_handler_t::replace);
}

void check_outgoing(const std::string& body) {
  json message = json::parse(body, nullptr, false);
  if (message.is_discarded() || !message.is_object() || message.value("jsonrpc", "") != "2.0")
    std::abort();  // the server sent something that is not JSON-RPC
  bool response = message.contains("id") && !message.contains("method");
  if (response && message.contains("result") == message.contains("error")) std::abort();
}

std::filesystem::path scratch;

// The scratch directory goes when the process ends normally (a crash leaves it to look at).
void remove_scratch() {
  std::error_code ec;
  std::filesystem::remove_all(scratch, ec);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // A scratch directory as the working directory: the session's project when it has no folder.
  std::error_code ec;
  scratch =
      std::filesystem::temp_directory_path(ec) / ("telinject-fuzz-" + std::to_string(getpid()));
  std::filesystem::create_directories(scratch, ec);
  if (chdir(scratch.c_str()) != 0) std::abort();
  std::atexit(remove_scratch);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  boost::asio::io_context io;
  bool exited = false;
  telinject::server::SessionOptions options;
  options.worker_threads = 0;  // synchronous
  options.debounce_ms = 0;
  telinject::server::Session session(
      io, [](std::string body) { check_outgoing(body); }, [&](int) { exited = true; }, options);
  telinject::protocol::MessageReader reader(1 << 20);
  reader.feed(std::string_view(reinterpret_cast<const char*>(data), size));
  for (;;) {
    telinject::protocol::ReadResult read = reader.next();
    if (read.kind == telinject::protocol::ReadResult::Kind::kNeedMoreData || exited) break;
    if (read.kind != telinject::protocol::ReadResult::Kind::kMessage) continue;
    if (auto body = sanitised(read.text)) session.handle(std::move(*body));
  }
  session.disconnected();
  return 0;
}
