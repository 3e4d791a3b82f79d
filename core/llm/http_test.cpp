#include "llm/http.h"

#include <doctest/doctest.h>

using namespace telinject::llm;

TEST_SUITE("llm http") {
  TEST_CASE("URL credentials are redacted wherever a URL appears") {
    CHECK(redact_url_credentials("http://user:SECRET@host:8080/v1") ==
          "http://[redacted]@host:8080/v1");
    CHECK(redact_url_credentials("https://token@host") == "https://[redacted]@host");
    // Several URLs (an Ollama pool), inside a message, a password with an '@' left unencoded.
    CHECK(redact_url_credentials("a http://u:p@one,http://u:p@@two/x?y=z@w b") ==
          "a http://[redacted]@one,http://[redacted]@two/x?y=z@w b");
    CHECK(redact_url_credentials("'ftp://u:SECRET@host' must start") ==
          "'ftp://[redacted]@host' must start");
    // No user information: unchanged, and an '@' in the path is not one.
    CHECK(redact_url_credentials("http://host/a@b") == "http://host/a@b");
    CHECK(redact_url_credentials("no url: user@host") == "no url: user@host");
    CHECK(redact_url_credentials("tail ://") == "tail ://");
  }

  TEST_CASE("secrets are redacted everywhere in a text") {
    CHECK(redact_secret("key sk-1 and sk-1", "sk-1") == "key [redacted] and [redacted]");
    CHECK(redact_secret("nothing", "") == "nothing");
  }
}
