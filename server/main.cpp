// telinject-lsp: the language server, LSP 3.17 over stdio. A thin front: wires stdin/stdout to
// a Session. Nothing but protocol goes to stdout; logs go to stderr.
//
//   telinject-lsp [--stdio] [--version]
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstring>
#include <optional>

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
      io, STDIN_FILENO, STDOUT_FILENO, [&session](std::string body) { session.handle(std::move(body)); },
      [](std::string_view problem) {
        std::fprintf(stderr, "telinject-lsp: bad message: %.*s\n", static_cast<int>(problem.size()),
                     problem.data());
      },
      [&session] { session.disconnected(); });
  transport->start();
  io.run();
  return exit_code.value_or(1);
}
