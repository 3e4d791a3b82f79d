// telinject-lsp: the language server, LSP 3.17 over stdio. A thin front: wires stdin/stdout to
// a Session. Nothing but protocol goes to stdout; logs go to stderr.
//
//   telinject-lsp [--stdio] [--version]
#include <spdlog/sinks/sink.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "allocator.h"
#include "log.h"
#include "session.h"
#include "transport.h"
#include "version.h"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--version") == 0) {
      std::printf("telinject-lsp %s\n", telinject::kVersion);
      return 0;
    }
    if (std::strcmp(argv[i], "--stdio") != 0) {  // vscode-languageclient adds --stdio
      std::fprintf(stderr, "usage: telinject-lsp [--stdio] [--version]\n");
      return 2;
    }
  }
  // The log: stderr as "telinject-lsp: …" from TELINJECT_LOG_LEVEL (default info); every level
  // reaches the session's client sink, which applies the client's logLevel setting.
  spdlog::level::level_enum stderr_level = spdlog::level::info;
  if (const char* level = std::getenv("TELINJECT_LOG_LEVEL"); level && *level) {
    if (auto parsed = telinject::parse_log_level(level))
      stderr_level = *parsed;
    else
      std::fprintf(stderr,
                   "telinject-lsp: TELINJECT_LOG_LEVEL=%s ignored (trace, debug, info, "
                   "warning, error or off)\n",
                   level);
  }
  telinject::logger().set_pattern("telinject-lsp: %v");
  telinject::logger().set_level(spdlog::level::debug);
  for (auto& sink : telinject::logger().sinks()) sink->set_level(stderr_level);
  telinject::logger().debug("telinject-lsp {} (malloc: {})", telinject::kVersion,
                            telinject::allocator_description());
  boost::asio::io_context io;
  std::optional<int> exit_code;
  std::unique_ptr<telinject::server::StdioTransport> transport;
  telinject::server::Session session(
      io, [&transport](std::string body) { transport->send(body); },
      [&](int code) {
        if (!exit_code) exit_code = code;
        io.stop();
      });
  transport = std::make_unique<telinject::server::StdioTransport>(
      io, STDIN_FILENO, STDOUT_FILENO,
      [&session](std::string body) { session.handle(std::move(body)); },
      [](std::string_view problem) { telinject::logger().warn("bad message: {}", problem); },
      [&session] { session.disconnected(); });
  transport->start();
  io.run();
  return exit_code.value_or(1);
}
