// The LSP base protocol: messages framed as "Content-Length: N\r\n\r\n<N bytes>". Knows bytes
// and headers only, never methods or JSON.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace telinject::protocol {

/// Largest body MessageReader accepts unless told otherwise.
inline constexpr std::size_t kDefaultMaxBodyBytes = 64 * 1024 * 1024;

/// `body` with its header: "Content-Length: <size>\r\n\r\n<body>". Pure function.
std::string frame(std::string_view body);

/// What MessageReader::next() found.
struct ReadResult {
  enum class Kind {
    kMessage,       // `text` is one complete body
    kNeedMoreData,  // feed more bytes, then call next() again
    kError,         // `text` says what was wrong; the reader has already moved on
  };
  Kind kind = Kind::kNeedMoreData;
  std::string text;
};

/// Splits a byte stream into message bodies, however the bytes arrive (one at a time, several
/// messages at once). Tolerant in what it reads: header names are case-insensitive, lines may
/// end with "\r\n" or a bare "\n", Content-Type and unknown headers are ignored, blank lines
/// between messages are skipped.
///
/// Never stops on bad input. A malformed header line, a missing, duplicate, non-numeric or
/// negative Content-Length, or a header block past 64 KiB is reported once as kError, then the
/// reader discards bytes up to the next "Content-Length:" (any case) and reads on from there.
/// A body larger than the limit is reported as kError and its declared length is skipped
/// without being buffered. Memory stays bounded by the limit plus what is fed between calls.
///
/// Not thread-safe: one reader per stream, used by one thread at a time.
class MessageReader {
 public:
  explicit MessageReader(std::size_t max_body_bytes = kDefaultMaxBodyBytes);

  /// Appends bytes read from the stream.
  void feed(std::string_view bytes);

  /// The next complete body, an error, or kNeedMoreData when the bytes fed so far end inside a
  /// message. Call until kNeedMoreData after each feed().
  ReadResult next();

  /// Bytes fed but not yet returned or discarded.
  std::size_t buffered_bytes() const { return buffer_.size() - position_; }

 private:
  enum class State { kHeaders, kBody, kSkipBody, kResynchronise };

  ReadResult fail(std::string message);
  ReadResult read_header_line(std::string_view line);
  ReadResult end_of_headers();
  void reset_headers();

  std::size_t max_body_bytes_;
  std::string buffer_;
  std::size_t position_ = 0;  // bytes of buffer_ already consumed
  State state_ = State::kHeaders;
  // The header block being read.
  std::size_t header_bytes_ = 0;
  bool any_header_ = false;
  bool has_length_ = false;
  uint64_t content_length_ = 0;
  // kBody: bytes to return; kSkipBody: bytes left to discard.
  uint64_t body_bytes_ = 0;
};

}  // namespace telinject::protocol
