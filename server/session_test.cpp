// Whole sessions, in process and synchronous (no threads, no debounce): transcript files under
// testdata/ hold what the client sends (<name>.in) and what the server must send (<name>.out),
// in protocol/transcript's format. ${ROOT} and ${ROOT_URI} stand for a fresh folder that holds
// a copy of testdata/<name>/ when there is one; ${VERSION} for the server's version.
// TELINJECT_UPDATE_TRANSCRIPTS=1 rewrites the .out files from what the server sent.
#include "session.h"

#include <doctest/doctest.h>

#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <future>
#include <thread>

#include "test_support.h"
#include "transcript.h"
#include "version.h"

using namespace telinject::server;
using nlohmann::json;
using telinject::testing::TempDir;
namespace fs = std::filesystem;

namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

struct Recorded {
  std::mutex mutex;
  std::vector<std::string> bodies;
  std::optional<int> exit_code;
};

// Runs testdata/<name>.in through a synchronous session; checks what it sent against
// <name>.out and that no request is left in the cancellation registry.
void check_transcript(const std::string& name) {
  fs::path data = SERVER_TESTDATA_DIR;
  TempDir dir;
  fs::path root = dir / "workspace";
  fs::create_directories(root);
  if (fs::is_directory(data / name)) fs::copy(data / name, root, fs::copy_options::recursive);
  std::string in = telinject::testing::read_text(data / (name + ".in"));
  REQUIRE_MESSAGE(!in.empty(), (data / (name + ".in")).string());
  in = replace_all(replace_all(in, "${ROOT_URI}", uri_from_path(root)), "${ROOT}", root.string());
  std::vector<json> messages;
  std::string error;
  REQUIRE_MESSAGE(telinject::protocol::parse_transcript(in, &messages, &error), error);

  Recorded recorded;
  boost::asio::io_context io;
  {
    Session session(
        io,
        [&](std::string body) {
          std::lock_guard lock(recorded.mutex);
          recorded.bodies.push_back(std::move(body));
        },
        [&](int code) { recorded.exit_code = code; }, SessionOptions{0, 0});
    for (const json& message : messages) session.handle(message.dump());
    CHECK_MESSAGE(session.requests_in_flight() == 0, name);
  }
  std::string actual = telinject::protocol::render_transcript_bodies(recorded.bodies);
  actual = replace_all(actual, uri_from_path(root), "${ROOT_URI}");
  actual = replace_all(actual, root.string(), "${ROOT}");
  actual = replace_all(actual, "\"" + std::string(telinject::kVersion) + "\"", "\"${VERSION}\"");
  fs::path expected_path = data / (name + ".out");
  if (const char* update = std::getenv("TELINJECT_UPDATE_TRANSCRIPTS"); update && *update) {
    std::ofstream(expected_path, std::ios::binary) << actual;
    return;
  }
  std::string expected = telinject::testing::read_text(expected_path);
  auto difference = telinject::protocol::transcript_difference(expected, actual);
  CHECK_MESSAGE(!difference, name << ": " << difference.value_or("") << "\n--- sent:\n" << actual);
}

}  // namespace

TEST_SUITE("session transcripts") {
  TEST_CASE("lifecycle: the rules before initialize and after shutdown, errors answered") {
    check_transcript("lifecycle");
  }
  TEST_CASE("a Python document: diagnostics, code actions, resolve, hover, edits") {
    check_transcript("python_document");
  }
  TEST_CASE("commands: the table, edits applied by the client, the cache") {
    check_transcript("commands");
  }
  TEST_CASE("on save: the document instrumented through willSaveWaitUntil") {
    check_transcript("on_save");
  }
}

TEST_SUITE("session cancellation") {
  TEST_CASE("a cancelled workspace run stops at its next file and answers RequestCancelled") {
    TempDir dir;
    // Enough files that the pipeline's count (a walk of its own, which the progress reports
    // wait for) is known long before the run could end.
    const int kFiles = 300;
    // (std::string::append: GCC 12 warns falsely about "m" + std::to_string(i).)
    auto module = [&](int i) {
      return dir / std::string("m").append(std::to_string(i)).append(".py");
    };
    for (int i = 0; i < kFiles; ++i)
      telinject::testing::write_text(module(i), "def f():\n    return 1\n");
    std::mutex mutex;
    std::condition_variable changed;
    bool reported = false, cancel_sent = false;
    std::promise<json> answer;
    boost::asio::io_context io;
    Session session(
        io,
        [&](std::string body) {
          json message = json::parse(body);
          if (message.value("method", "") == "$/progress" &&
              message["params"]["value"]["kind"] == "report") {
            // The first file is done: hold the run (progress is serialised) until the client's
            // cancel arrived.
            std::unique_lock lock(mutex);
            if (!reported) {
              reported = true;
              changed.notify_all();
              changed.wait(lock, [&] { return cancel_sent; });
            }
          }
          if (message.contains("id") && message["id"] == 2) answer.set_value(message);
        },
        [](int) {}, SessionOptions{2, 0});
    session.handle(json{{"jsonrpc", "2.0"},
                        {"id", 1},
                        {"method", "initialize"},
                        {"params",
                         {{"rootUri", uri_from_path(dir.path())},
                          {"capabilities", json::object()},
                          {"initializationOptions", {{"debounceMs", 0}}}}}}
                       .dump());
    session.handle(
        json{{"jsonrpc", "2.0"},
             {"id", 2},
             {"method", "workspace/executeCommand"},
             {"params", {{"command", "telinject.instrumentWorkspace"}, {"workDoneToken", "run"}}}}
            .dump());
    {
      std::unique_lock lock(mutex);
      // A run that never reports would fail here rather than hang the test.
      REQUIRE(changed.wait_for(lock, std::chrono::seconds(60), [&] { return reported; }));
    }
    session.handle(
        json{{"jsonrpc", "2.0"}, {"method", "$/cancelRequest"}, {"params", {{"id", 2}}}}.dump());
    {
      std::lock_guard lock(mutex);
      cancel_sent = true;
      changed.notify_all();
    }
    json response = answer.get_future().get();
    CHECK(response["error"]["code"] == -32800);
    int instrumented = 0;
    for (int i = 0; i < kFiles; ++i)
      instrumented +=
          telinject::testing::read_text(module(i)).find("_telinject") != std::string::npos;
    CHECK(instrumented >= 1);
    CHECK(instrumented < kFiles / 2);
    // The entry goes right after the answer was sent, on the thread that sent it.
    for (int i = 0; i < 500 && session.requests_in_flight() > 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(session.requests_in_flight() == 0);
  }
}
