/* telinject.h: the runtime helper of C and C++ code instrumented by telinject (docs/c.md).
 * Written by `telinject instrument` beside each instrumented file, removed by `telinject remove`.
 * One header for C99/C11 and C++11 and later, GCC and Clang on Linux. Every translation unit that
 * includes it defines the same weak symbols: the linker keeps one copy, so spans nest across
 * files and one buffer is written once, at exit.
 *
 * TELINJECT_SPAN("ns::A::f"); opens a span that ends when the enclosing block is left (C: a
 * variable with __attribute__((cleanup)); C++: an object whose destructor also sees an exception
 * passing through). With TELINJECT_OUT unset a span costs one load and one branch. */
#ifndef TELINJECT_H_
#define TELINJECT_H_

/* The project's own warning flags (-Werror, -std=c89, -Wconversion...) are for its code, not
 * for this header: it is compiled as a system header. It is warning-free with -Wall -Wextra
 * -Wpedantic anyway. */
#if defined(__GNUC__)
#pragma GCC system_header
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
#include <exception>
extern "C" {
#endif

/* An open span: a frame on its thread's stack (spans of a thread end in the reverse order they
 * start). The call site keeps only whether it opened one. */
struct telinject_span {
  const char* name;
  const char* file;
  int line;
  uint64_t trace_high, trace_low, span_id, parent_id;
  uint64_t start_unix_ns, start_monotonic_ns;
};
#define TELINJECT_MAX_DEPTH_ 256

/* 1: recording, 0: off, -1: not decided yet (the first span reads TELINJECT_OUT). */
extern int telinject_enabled_;
/* Opens a span; 0 when telemetry is off or the thread is TELINJECT_MAX_DEPTH_ spans deep. */
int telinject_span_open_(const char* name, const char* file, int line, const char* language);
/* Closes the thread's innermost span; `error`: an exception of `type` passes through. */
void telinject_span_close_(int error, const char* type);
void telinject_flush(void);

/* POSIX functions under names of our own (the file may be compiled as strict ISO C, where
 * <time.h> and <unistd.h> do not declare them). */
struct telinject_timespec_ {
  long seconds;
  long nanoseconds;
};
int telinject_clock_gettime_(int clock, struct telinject_timespec_* now) __asm__("clock_gettime");
int telinject_getpid_(void) __asm__("getpid");
/* C99's snprintf, which <stdio.h> does not declare for -std=c89. */
int telinject_snprintf_(char* out, size_t size, const char* format, ...) __asm__("snprintf");

#define TELINJECT_WEAK_ __attribute__((weak))
#define TELINJECT_BUFFER_SIZE_ 65536

TELINJECT_WEAK_ int telinject_enabled_ = -1;
TELINJECT_WEAK_ FILE* telinject_file_ = NULL;
TELINJECT_WEAK_ char telinject_buffer_[TELINJECT_BUFFER_SIZE_];
TELINJECT_WEAK_ size_t telinject_buffer_used_ = 0;
TELINJECT_WEAK_ char telinject_lock_ = 0;
TELINJECT_WEAK_ int telinject_pid_ = 0;
TELINJECT_WEAK_ int telinject_threads_ = 0;
/* The thread's innermost open span (0: none) and its trace. Spans end in the reverse order
 * they start on a thread, so closing one makes its parent current again. */
TELINJECT_WEAK_ __thread uint64_t telinject_current_span_ = 0;
TELINJECT_WEAK_ __thread struct telinject_span telinject_stack_[TELINJECT_MAX_DEPTH_];
TELINJECT_WEAK_ __thread int telinject_depth_ = 0;
TELINJECT_WEAK_ __thread uint64_t telinject_current_trace_high_ = 0;
TELINJECT_WEAK_ __thread uint64_t telinject_current_trace_low_ = 0;
TELINJECT_WEAK_ __thread uint64_t telinject_random_state_ = 0;
TELINJECT_WEAK_ __thread int telinject_thread_id_ = 0;

static __inline__ void telinject_lock_take_(void) {
  while (__atomic_test_and_set(&telinject_lock_, __ATOMIC_ACQUIRE)) {
  }
}

static __inline__ void telinject_lock_give_(void) {
  __atomic_clear(&telinject_lock_, __ATOMIC_RELEASE);
}

static __inline__ uint64_t telinject_clock_(int clock) {
  struct telinject_timespec_ now;
  telinject_clock_gettime_(clock, &now);
  return (uint64_t)now.seconds * 1000000000u + (uint64_t)now.nanoseconds;
}

/* splitmix64 over a per-thread state seeded from the clock, the pid and the thread's address. */
static __inline__ uint64_t telinject_random_(void) {
  uint64_t z;
  if (telinject_random_state_ == 0)
    telinject_random_state_ = telinject_clock_(0) ^ ((uint64_t)telinject_getpid_() << 32) ^
                              (uint64_t)(uintptr_t)&telinject_random_state_;
  z = (telinject_random_state_ += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  z ^= z >> 31;
  return z ? z : 1;
}

/* Writes the buffer whole: one write() of whole lines. Called with the lock held. */
static __inline__ void telinject_write_buffer_(void) {
  if (telinject_buffer_used_ == 0 || !telinject_file_) return;
  fwrite(telinject_buffer_, 1, telinject_buffer_used_, telinject_file_);
  telinject_buffer_used_ = 0;
}

TELINJECT_WEAK_ void telinject_flush(void) {
  telinject_lock_take_();
  telinject_write_buffer_();
  telinject_lock_give_();
}

static __inline__ void telinject_append_(const char* text, size_t length) {
  if (telinject_buffer_used_ + length > TELINJECT_BUFFER_SIZE_) telinject_write_buffer_();
  if (length > TELINJECT_BUFFER_SIZE_) return; /* a line longer than the buffer: dropped */
  memcpy(telinject_buffer_ + telinject_buffer_used_, text, length);
  telinject_buffer_used_ += length;
}

/* `value` as the inside of a JSON string, cut to fit `size` bytes. */
static __inline__ size_t telinject_json_escape_(char* out, size_t size, const char* value) {
  size_t used = 0;
  for (; *value && used + 7 < size; ++value) {
    unsigned char c = (unsigned char)*value;
    if (c == '"' || c == '\\') {
      out[used++] = '\\';
      out[used++] = (char)c;
    } else if (c < 0x20) {
      used += (size_t)telinject_snprintf_(out + used, size - used, "\\u%04x", c);
    } else {
      out[used++] = (char)c;
    }
  }
  out[used] = '\0';
  return used;
}

static __inline__ void telinject_start_(const char* language) {
  const char* path;
  const char* service;
  char line[512];
  char escaped[256];
  int length;
  telinject_lock_take_();
  if (telinject_enabled_ != -1) {
    telinject_lock_give_();
    return;
  }
  path = getenv("TELINJECT_OUT");
  telinject_file_ = path && *path ? fopen(path, "a") : NULL;
  if (!telinject_file_) {
    if (path && *path) fprintf(stderr, "telinject: cannot open TELINJECT_OUT=%s\n", path);
    __atomic_store_n(&telinject_enabled_, 0, __ATOMIC_RELEASE);
    telinject_lock_give_();
    return;
  }
  /* Unbuffered: each fwrite of the buffer is one write() of whole lines. */
  setvbuf(telinject_file_, NULL, _IONBF, 0);
  telinject_pid_ = telinject_getpid_();
  service = getenv("OTEL_SERVICE_NAME");
  if (service && *service)
    telinject_json_escape_(escaped, sizeof escaped, service);
  else
    telinject_snprintf_(escaped, sizeof escaped, "unknown_service:%s", language);
  length = telinject_snprintf_(
      line, sizeof line,
      "{\"resource\":{\"service.name\":\"%s\",\"telemetry.sdk.name\":\"telinject\","
      "\"telemetry.sdk.language\":\"%s\",\"process.pid\":%d}}\n",
      escaped, language, telinject_pid_);
  if (length > 0 && (size_t)length < sizeof line) telinject_append_(line, (size_t)length);
  atexit(telinject_flush);
  __atomic_store_n(&telinject_enabled_, 1, __ATOMIC_RELEASE);
  telinject_lock_give_();
}

TELINJECT_WEAK_ int telinject_span_open_(const char* name, const char* file, int line,
                                         const char* language) {
  struct telinject_span* span;
  if (__atomic_load_n(&telinject_enabled_, __ATOMIC_ACQUIRE) == -1) telinject_start_(language);
  if (__atomic_load_n(&telinject_enabled_, __ATOMIC_ACQUIRE) != 1) return 0;
  if (telinject_depth_ >= TELINJECT_MAX_DEPTH_) return 0;
  span = &telinject_stack_[telinject_depth_++];
  span->name = name;
  span->file = file;
  span->line = line;
  span->span_id = telinject_random_();
  span->parent_id = telinject_current_span_;
  if (!span->parent_id) {
    telinject_current_trace_high_ = telinject_random_();
    telinject_current_trace_low_ = telinject_random_();
  }
  span->trace_high = telinject_current_trace_high_;
  span->trace_low = telinject_current_trace_low_;
  telinject_current_span_ = span->span_id;
  span->start_unix_ns = telinject_clock_(0);
  span->start_monotonic_ns = telinject_clock_(1);
  return 1;
}

/* A span line is built by hand: snprintf took most of a span's cost. */
struct telinject_line_ {
  char text[2048];
  size_t used;
};

/* Appends `text`; escaped as the inside of a JSON string when `escape`. Cut to fit. */
static __inline__ void telinject_put_(struct telinject_line_* line, const char* text, int escape) {
  for (; *text && line->used + 8 < sizeof line->text; ++text) {
    unsigned char c = (unsigned char)*text;
    if (escape && (c == '"' || c == '\\')) {
      line->text[line->used++] = '\\';
    } else if (escape && c < 0x20) {
      static const char digits[] = "0123456789abcdef";
      memcpy(line->text + line->used, "\\u00", 4);
      line->text[line->used + 4] = digits[c >> 4];
      line->text[line->used + 5] = digits[c & 15];
      line->used += 6;
      continue;
    }
    line->text[line->used++] = (char)c;
  }
}

static __inline__ void telinject_put_hex_(struct telinject_line_* line, uint64_t value) {
  static const char digits[] = "0123456789abcdef";
  int shift;
  if (line->used + 16 >= sizeof line->text) return;
  for (shift = 60; shift >= 0; shift -= 4) line->text[line->used++] = digits[(value >> shift) & 15];
}

static __inline__ void telinject_put_number_(struct telinject_line_* line, uint64_t value) {
  char digits[24];
  int count = 0;
  do {
    digits[count++] = (char)('0' + value % 10);
    value /= 10;
  } while (value);
  if (line->used + (size_t)count >= sizeof line->text) return;
  while (count) line->text[line->used++] = digits[--count];
}

TELINJECT_WEAK_ void telinject_span_close_(int error, const char* type) {
  struct telinject_span* span;
  struct telinject_line_ line;
  uint64_t duration;
  if (telinject_depth_ <= 0) return;
  span = &telinject_stack_[--telinject_depth_];
  duration = telinject_clock_(1) - span->start_monotonic_ns;
  telinject_current_span_ = span->parent_id;
  if (telinject_thread_id_ == 0)
    telinject_thread_id_ = __atomic_add_fetch(&telinject_threads_, 1, __ATOMIC_RELAXED);
  line.used = 0;
  telinject_put_(&line, "{\"name\":\"", 0);
  telinject_put_(&line, span->name, 1);
  telinject_put_(&line, "\",\"code.function.name\":\"", 0);
  telinject_put_(&line, span->name, 1);
  telinject_put_(&line, "\",\"code.file.path\":\"", 0);
  telinject_put_(&line, span->file, 1);
  telinject_put_(&line, "\",\"code.line.number\":", 0);
  telinject_put_number_(&line, (uint64_t)(span->line > 0 ? span->line : 0));
  telinject_put_(&line, ",\"trace_id\":\"", 0);
  telinject_put_hex_(&line, span->trace_high);
  telinject_put_hex_(&line, span->trace_low);
  telinject_put_(&line, "\",\"span_id\":\"", 0);
  telinject_put_hex_(&line, span->span_id);
  if (span->parent_id) {
    telinject_put_(&line, "\",\"parent_span_id\":\"", 0);
    telinject_put_hex_(&line, span->parent_id);
    telinject_put_(&line, "\",\"start_time_unix_nano\":", 0);
  } else {
    telinject_put_(&line, "\",\"parent_span_id\":null,\"start_time_unix_nano\":", 0);
  }
  telinject_put_number_(&line, span->start_unix_ns);
  telinject_put_(&line, ",\"duration_ns\":", 0);
  telinject_put_number_(&line, duration);
  if (error) {
    telinject_put_(&line, ",\"status\":\"error\",\"exception.type\":\"", 0);
    telinject_put_(&line, type, 1);
    telinject_put_(&line, "\",\"exception.message\":\"an exception left the function\"", 0);
  } else {
    telinject_put_(&line, ",\"status\":\"ok\"", 0);
  }
  telinject_put_(&line, ",\"thread.id\":", 0);
  telinject_put_number_(&line, (uint64_t)telinject_thread_id_);
  telinject_put_(&line, ",\"process.pid\":", 0);
  telinject_put_number_(&line, (uint64_t)telinject_pid_);
  if (line.used + 2 >= sizeof line.text) return; /* cut: not valid JSON, dropped */
  line.text[line.used++] = '}';
  line.text[line.used++] = '\n';
  telinject_lock_take_();
  telinject_append_(line.text, line.used);
  telinject_lock_give_();
}

#ifdef __cplusplus
} /* extern "C" */

namespace telinject {

/// The span of one call: opened by the constructor, closed by the destructor, with status error
/// when an exception leaves the function through it.
class Span {
 public:
  Span(const char* name, const char* file, int line) noexcept
      : active_(telinject_enabled_ != 0 && telinject_span_open_(name, file, line, "cpp")) {
#if defined(__cpp_lib_uncaught_exceptions) || __cplusplus >= 201703L
    if (active_) exceptions_ = std::uncaught_exceptions();
#endif
  }
  ~Span() {
    if (!active_) return;
#if defined(__cpp_lib_uncaught_exceptions) || __cplusplus >= 201703L
    bool unwinding = std::uncaught_exceptions() > exceptions_;
#else
    bool unwinding = std::uncaught_exception();
#endif
    telinject_span_close_(unwinding ? 1 : 0, "C++ exception");
  }
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;

 private:
  bool active_;
#if defined(__cpp_lib_uncaught_exceptions) || __cplusplus >= 201703L
  int exceptions_ = 0;
#endif
};

}  // namespace telinject

#define TELINJECT_SPAN(name) ::telinject::Span _telinject_span(name, __FILE__, __LINE__)

#else

/* Ends the span when the variable goes out of scope. External (weak), not static: C99 inline
 * functions with external linkage may use it. */
void telinject_span_cleanup_(const int* active);
TELINJECT_WEAK_ void telinject_span_cleanup_(const int* active) {
  if (*active) telinject_span_close_(0, "");
}

#define TELINJECT_SPAN(name)                                                            \
  __attribute__((cleanup(telinject_span_cleanup_), unused)) const int _telinject_span = \
      telinject_enabled_ != 0 && telinject_span_open_(name, __FILE__, __LINE__, "c")

#endif

#endif /* TELINJECT_H_ */
