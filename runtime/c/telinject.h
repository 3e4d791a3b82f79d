/* telinject.h: the runtime helper of C and C++ code instrumented by telinject (docs/c.md).
 * Written by `telinject instrument` beside each instrumented file, removed by `telinject remove`.
 * One header for C99/C11 and C++11 and later, GCC and Clang on Linux. Every translation unit that
 * includes it defines the same weak symbols: the linker keeps one copy, so spans nest across
 * files and one buffer is written once, at exit.
 *
 * TELINJECT_SPAN("ns::A::f"); opens a span that ends when the enclosing block is left (C: a
 * variable with __attribute__((cleanup)); C++: an object whose destructor also sees an exception
 * passing through). With TELINJECT_OUT unset a span costs one load and one branch. With it set,
 * TELINJECT_RATE_LIMIT, TELINJECT_MAX_BYTES and TELINJECT_SAMPLE bound what is written
 * (docs/telemetry.md "Volume"); calls not recorded are counted per function in "dropped" lines
 * written at exit (and by telinject_flush), with one summary line on stderr. */
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

/* What is kept per instrumented function (per name string: a function's calls share it): its
 * rate limit and its calls not recorded, by reason. Found in a fixed table by the address of its
 * name (the TELINJECT_SPAN literal), so the call site needs no static variable (a C99 `inline`
 * function with external linkage may not define one). */
struct telinject_function_ {
  const char* name; /* 0: a free slot */
  uint64_t calls;
  int64_t due; /* the rate limit's token bucket: the earliest time of the next call recorded */
  uint64_t dropped[3];
};
#define TELINJECT_RATE_LIMIT_ 0
#define TELINJECT_SAMPLING_ 1
#define TELINJECT_SIZE_CAP_ 2
#define TELINJECT_FUNCTIONS_ 16384

/* An open span: a frame on its thread's stack (spans of a thread end in the reverse order they
 * start). The call site keeps only whether it opened one. A span of a trace not sampled is a
 * frame too (its callees must know), but is never written. */
struct telinject_span {
  const char* name;
  const char* file;
  int line;
  int sampled;
  struct telinject_function_* function;
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

#define TELINJECT_WEAK_ __attribute__((weak))
#define TELINJECT_BUFFER_SIZE_ 65536

TELINJECT_WEAK_ int telinject_enabled_ = -1;
TELINJECT_WEAK_ FILE* telinject_file_ = NULL;
TELINJECT_WEAK_ char telinject_buffer_[TELINJECT_BUFFER_SIZE_];
TELINJECT_WEAK_ size_t telinject_buffer_used_ = 0;
TELINJECT_WEAK_ char telinject_lock_ = 0;
TELINJECT_WEAK_ int telinject_pid_ = 0;
TELINJECT_WEAK_ int telinject_threads_ = 0;
/* The settings (docs/telemetry.md "Volume"), read once before telinject_enabled_ becomes 1. */
TELINJECT_WEAK_ const char* telinject_out_name_ = NULL;
TELINJECT_WEAK_ int telinject_limited_ = 1;
TELINJECT_WEAK_ uint64_t telinject_first_calls_ = 1000;
TELINJECT_WEAK_ double telinject_per_second_ = 10;
TELINJECT_WEAK_ int telinject_sample_all_ = 1;
TELINJECT_WEAK_ uint64_t telinject_sample_bound_ = 0; /* sampled: trace id's low 63 bits below */
TELINJECT_WEAK_ uint64_t telinject_max_bytes_ = 100000000u; /* 0: no cap */
TELINJECT_WEAK_ int telinject_remote_ = 0;                  /* TRACEPARENT: roots join that trace */
TELINJECT_WEAK_ int telinject_remote_sampled_ = 0;
TELINJECT_WEAK_ uint64_t telinject_remote_high_ = 0;
TELINJECT_WEAK_ uint64_t telinject_remote_low_ = 0;
TELINJECT_WEAK_ uint64_t telinject_remote_span_ = 0;
/* What was written (under the lock): the file's size, spans; calls not recorded by reason
 * (counted as their dropped lines are written), and those of functions the table had no room
 * for (no dropped line). */
TELINJECT_WEAK_ uint64_t telinject_bytes_ = 0;
TELINJECT_WEAK_ uint64_t telinject_spans_written_ = 0;
TELINJECT_WEAK_ int telinject_cap_warned_ = 0;
TELINJECT_WEAK_ uint64_t telinject_dropped_total_[3];
TELINJECT_WEAK_ uint64_t telinject_dropped_unlisted_[3];
TELINJECT_WEAK_ struct telinject_function_ telinject_functions_[TELINJECT_FUNCTIONS_];
/* The thread's open spans: the innermost is its callees' parent; with none, a call is a root. */
TELINJECT_WEAK_ __thread struct telinject_span telinject_stack_[TELINJECT_MAX_DEPTH_];
TELINJECT_WEAK_ __thread int telinject_depth_ = 0;
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

static __inline__ void telinject_append_(const char* text, size_t length) {
  if (telinject_buffer_used_ + length > TELINJECT_BUFFER_SIZE_) telinject_write_buffer_();
  if (length > TELINJECT_BUFFER_SIZE_) return; /* a line longer than the buffer: dropped */
  memcpy(telinject_buffer_ + telinject_buffer_used_, text, length);
  telinject_buffer_used_ += length;
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

/* Writes the dropped lines of the calls not recorded since the last ones. Lock held. */
static __inline__ void telinject_write_dropped_(void) {
  static const char* const reasons[3] = {"rate_limit", "sampling", "size_cap"};
  struct telinject_line_ line;
  int index, reason;
  for (reason = 0; reason < 3; ++reason)
    telinject_dropped_total_[reason] +=
        __atomic_exchange_n(&telinject_dropped_unlisted_[reason], 0, __ATOMIC_RELAXED);
  for (index = 0; index < TELINJECT_FUNCTIONS_; ++index) {
    struct telinject_function_* function = &telinject_functions_[index];
    const char* name = __atomic_load_n(&function->name, __ATOMIC_ACQUIRE);
    if (!name) continue;
    for (reason = 0; reason < 3; ++reason) {
      uint64_t count = __atomic_exchange_n(&function->dropped[reason], 0, __ATOMIC_RELAXED);
      if (!count) continue;
      telinject_dropped_total_[reason] += count;
      line.used = 0;
      telinject_put_(&line, "{\"dropped\":", 0);
      telinject_put_number_(&line, count);
      telinject_put_(&line, ",\"name\":\"", 0);
      telinject_put_(&line, name, 1);
      telinject_put_(&line, "\",\"reason\":\"", 0);
      telinject_put_(&line, reasons[reason], 0);
      telinject_put_(&line, "\",\"process.pid\":", 0);
      telinject_put_number_(&line, (uint64_t)telinject_pid_);
      if (line.used + 2 >= sizeof line.text) continue;
      line.text[line.used++] = '}';
      line.text[line.used++] = '\n';
      telinject_append_(line.text, line.used);
      telinject_bytes_ += line.used;
    }
  }
}

/* Writes what is buffered, with the dropped lines of the calls not recorded so far. */
TELINJECT_WEAK_ void telinject_flush(void) {
  telinject_lock_take_();
  if (telinject_file_) telinject_write_dropped_();
  telinject_write_buffer_();
  telinject_lock_give_();
}

/* At exit: writes everything, then says once on stderr what was not recorded, if anything. */
void telinject_exit_(void);
TELINJECT_WEAK_ void telinject_exit_(void) {
  struct telinject_line_ line;
  uint64_t total;
  telinject_flush();
  telinject_lock_take_();
  total = telinject_dropped_total_[0] + telinject_dropped_total_[1] + telinject_dropped_total_[2];
  if (total) {
    line.used = 0;
    telinject_put_(&line, "telinject: ", 0);
    telinject_put_number_(&line, telinject_spans_written_);
    telinject_put_(&line, " spans written to ", 0);
    telinject_put_(&line, telinject_out_name_, 0);
    telinject_put_(&line, ", ", 0);
    telinject_put_number_(&line, total);
    telinject_put_(&line, " not recorded (rate limit ", 0);
    telinject_put_number_(&line, telinject_dropped_total_[TELINJECT_RATE_LIMIT_]);
    telinject_put_(&line, ", sampling ", 0);
    telinject_put_number_(&line, telinject_dropped_total_[TELINJECT_SAMPLING_]);
    telinject_put_(&line, ", size cap ", 0);
    telinject_put_number_(&line, telinject_dropped_total_[TELINJECT_SIZE_CAP_]);
    telinject_put_(&line,
                   "); TELINJECT_RATE_LIMIT=off TELINJECT_SAMPLE=1 TELINJECT_MAX_BYTES=off "
                   "record every call\n",
                   0);
    fwrite(line.text, 1, line.used, stderr);
    memset(telinject_dropped_total_, 0, sizeof telinject_dropped_total_);
  }
  telinject_lock_give_();
}

/* The function of `name` in the table (0: the table is full). */
static __inline__ struct telinject_function_* telinject_function_(const char* name) {
  uint64_t hash = ((uint64_t)(uintptr_t)name >> 3) * 0x9e3779b97f4a7c15u;
  unsigned index = (unsigned)(hash >> 50) & (TELINJECT_FUNCTIONS_ - 1);
  int probe;
  for (probe = 0; probe < 64; ++probe, index = (index + 1) & (TELINJECT_FUNCTIONS_ - 1)) {
    struct telinject_function_* function = &telinject_functions_[index];
    const char* known = __atomic_load_n(&function->name, __ATOMIC_ACQUIRE);
    if (known == name) return function;
    if (!known && (__atomic_compare_exchange_n(&function->name, &known, name, 0, __ATOMIC_ACQ_REL,
                                               __ATOMIC_ACQUIRE) ||
                   known == name))
      return function;
  }
  return 0;
}

static __inline__ void telinject_drop_(struct telinject_function_* function, int reason) {
  __atomic_add_fetch(function ? &function->dropped[reason] : &telinject_dropped_unlisted_[reason],
                     1, __ATOMIC_RELAXED);
}

/* The rate limit: the first N calls, then a token bucket of R per second holding at most one
 * second's worth (the coarse monotonic clock: a few ns, 4 ms steps). */
static __inline__ int telinject_admit_(struct telinject_function_* function) {
  int64_t interval, burst, now, due, next;
  if (!telinject_limited_ || !function ||
      __atomic_add_fetch(&function->calls, 1, __ATOMIC_RELAXED) <= telinject_first_calls_)
    return 1;
  if (telinject_per_second_ <= 0) return 0;
  interval = (int64_t)(1e9 / telinject_per_second_);
  burst = 1000000000 - interval;
  now = (int64_t)telinject_clock_(6 /* CLOCK_MONOTONIC_COARSE */);
  due = __atomic_load_n(&function->due, __ATOMIC_RELAXED);
  for (;;) {
    if (due && now < due - burst) return 0;
    next = due < now ? now : due;
    if (__atomic_compare_exchange_n(&function->due, &due, next + interval, 0, __ATOMIC_RELAXED,
                                    __ATOMIC_RELAXED))
      return 1;
  }
}

static __inline__ void telinject_warn_(const char* variable, const char* value, const char* want) {
  fprintf(stderr, "telinject: ignoring %s=\"%s\" (want %s)\n", variable, value, want);
}

/* strtod/strtoull with nothing but blanks after the number. */
static __inline__ int telinject_rest_blank_(const char* rest) {
  while (*rest == ' ' || *rest == '\t') ++rest;
  return *rest == '\0';
}

static __inline__ int telinject_is_off_(const char* text) {
  while (*text == ' ') ++text;
  return (text[0] == 'o' || text[0] == 'O') && (text[1] == 'f' || text[1] == 'F') &&
         (text[2] == 'f' || text[2] == 'F') && telinject_rest_blank_(text + 3);
}

static __inline__ int telinject_hex_(const char* text, int digits, uint64_t* value) {
  int i;
  *value = 0;
  for (i = 0; i < digits; ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9')
      *value = *value << 4 | (uint64_t)(c - '0');
    else if (c >= 'a' && c <= 'f')
      *value = *value << 4 | (uint64_t)(c - 'a' + 10);
    else
      return 0;
  }
  return 1;
}

/* Reads TELINJECT_SAMPLE, TELINJECT_RATE_LIMIT, TELINJECT_MAX_BYTES and TRACEPARENT; a bad
 * value is ignored with one warning, its default kept. */
static __inline__ void telinject_read_settings_(void) {
  const char* text;
  char* rest;
  text = getenv("TELINJECT_SAMPLE");
  if (text) {
    double ratio = strtod(text, &rest);
    if (rest == text || !telinject_rest_blank_(rest) || !(ratio >= 0 && ratio <= 1)) {
      telinject_warn_("TELINJECT_SAMPLE", text, "a ratio in [0, 1]");
    } else if (ratio < 1) {
      telinject_sample_all_ = 0;
      telinject_sample_bound_ = (uint64_t)(ratio * 9223372036854775808.0);
    }
  }
  text = getenv("TELINJECT_RATE_LIMIT");
  if (text && telinject_is_off_(text)) {
    telinject_limited_ = 0;
  } else if (text) {
    /* N by hand: strtoull is not declared for -std=c89. */
    uint64_t first = 0;
    double per_second = 0;
    int valid;
    for (rest = (char*)(uintptr_t)text; *rest == ' '; ++rest) {
    }
    valid = *rest >= '0' && *rest <= '9';
    for (; *rest >= '0' && *rest <= '9' && first < 1000000000000000000u; ++rest)
      first = first * 10 + (uint64_t)(*rest - '0');
    while (valid && (*rest == ' ' || *rest == '\t')) ++rest;
    valid = valid && *rest == ',';
    if (valid) {
      const char* second = rest + 1;
      per_second = strtod(second, &rest);
      valid = rest != second && telinject_rest_blank_(rest) && per_second >= 0 && per_second <= 1e9;
    }
    if (valid) {
      telinject_first_calls_ = first;
      telinject_per_second_ = per_second;
    } else {
      telinject_warn_("TELINJECT_RATE_LIMIT", text,
                      "N,R (first N calls, then R per second) or off");
    }
  }
  text = getenv("TELINJECT_MAX_BYTES");
  if (text && telinject_is_off_(text)) {
    telinject_max_bytes_ = 0;
  } else if (text) {
    double value = strtod(text, &rest), scale = 1;
    if (*rest == 'k' || *rest == 'K')
      scale = 1e3;
    else if (*rest == 'M')
      scale = 1e6;
    else if (*rest == 'G')
      scale = 1e9;
    if (scale != 1) ++rest;
    if (rest == text || !telinject_rest_blank_(rest) || !(value >= 0) || value * scale > 1e18)
      telinject_warn_("TELINJECT_MAX_BYTES", text,
                      "a size such as 100M (k, M, G: powers of 1000) or off");
    else
      telinject_max_bytes_ = (uint64_t)(value * scale);
  }
  text = getenv("TRACEPARENT");
  if (text && *text) {
    uint64_t flags = 0;
    int valid = strlen(text) == 55 && text[0] == '0' && text[1] == '0' && text[2] == '-' &&
                text[35] == '-' && text[52] == '-' &&
                telinject_hex_(text + 3, 16, &telinject_remote_high_) &&
                telinject_hex_(text + 19, 16, &telinject_remote_low_) &&
                telinject_hex_(text + 36, 16, &telinject_remote_span_) &&
                telinject_hex_(text + 53, 2, &flags) &&
                (telinject_remote_high_ || telinject_remote_low_) && telinject_remote_span_;
    if (valid) {
      telinject_remote_ = 1;
      telinject_remote_sampled_ = (int)(flags & 1);
      if (!telinject_remote_sampled_) telinject_sample_all_ = 0;
    } else {
      telinject_warn_("TRACEPARENT", text, "00-<32 hex trace id>-<16 hex span id>-<2 hex flags>");
    }
  }
}

/* Appends OTEL_RESOURCE_ATTRIBUTES (key=value,key=value; values percent-decoded) to `line`,
 * but service.name, which goes to `service`. A malformed pair: one warning, the rest ignored. */
static __inline__ void telinject_put_resource_attributes_(struct telinject_line_* line,
                                                          char* service, size_t service_size) {
  const char* all = getenv("OTEL_RESOURCE_ATTRIBUTES");
  const char* text = all;
  char key[256], value[512];
  while (text && *text) {
    size_t key_used = 0, value_used = 0;
    const char* end = strchr(text, ',');
    const char* equals = strchr(text, '=');
    const char* c;
    int valid = 1;
    if (!end) end = text + strlen(text);
    if (!equals || equals > end) equals = end; /* no '=' in the pair */
    for (c = text; c < equals && key_used + 1 < sizeof key; ++c)
      if (*c != ' ') key[key_used++] = *c;
    for (c = equals < end ? equals + 1 : end; c < end && value_used + 1 < sizeof value; ++c) {
      uint64_t byte;
      if (*c != '%') {
        if (*c != ' ' || (value_used && c + 1 < end)) value[value_used++] = *c;
      } else if (c + 2 < end && telinject_hex_(c + 1, 2, &byte)) {
        value[value_used++] = (char)byte;
        c += 2;
      } else {
        valid = 0;
      }
    }
    if (equals == end || !key_used || !valid) {
      telinject_warn_("OTEL_RESOURCE_ATTRIBUTES", all, "key=value,key=value");
      return;
    }
    key[key_used] = value[value_used] = '\0';
    if (strcmp(key, "service.name") == 0) {
      if (value_used < service_size) memcpy(service, value, value_used + 1);
    } else if (strcmp(key, "process.pid") != 0 && strcmp(key, "telemetry.sdk.name") != 0 &&
               strcmp(key, "telemetry.sdk.language") != 0) {
      telinject_put_(line, ",\"", 0);
      telinject_put_(line, key, 1);
      telinject_put_(line, "\":\"", 0);
      telinject_put_(line, value, 1);
      telinject_put_(line, "\"", 0);
    }
    text = *end ? end + 1 : end;
  }
}

static __inline__ void telinject_start_(const char* language) {
  const char* path;
  const char* service;
  struct telinject_line_ line, attributes;
  char named[512];
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
  telinject_out_name_ = path;
  if (fseek(telinject_file_, 0, SEEK_END) == 0) {
    long size = ftell(telinject_file_);
    if (size > 0) telinject_bytes_ = (uint64_t)size;
  }
  telinject_read_settings_();
  telinject_pid_ = telinject_getpid_();
  attributes.used = 0;
  named[0] = '\0';
  telinject_put_resource_attributes_(&attributes, named, sizeof named);
  service = getenv("OTEL_SERVICE_NAME");
  if (!service || !*service) service = named;
  line.used = 0;
  telinject_put_(&line, "{\"resource\":{\"service.name\":\"", 0);
  if (*service) {
    telinject_put_(&line, service, 1);
  } else {
    telinject_put_(&line, "unknown_service:", 0);
    telinject_put_(&line, language, 0);
  }
  telinject_put_(&line, "\",\"telemetry.sdk.name\":\"telinject\",\"telemetry.sdk.language\":\"", 0);
  telinject_put_(&line, language, 0);
  telinject_put_(&line, "\",\"process.pid\":", 0);
  telinject_put_number_(&line, (uint64_t)telinject_pid_);
  attributes.text[attributes.used] = '\0';
  telinject_put_(&line, attributes.text, 0);
  if (line.used + 3 < sizeof line.text) {
    memcpy(line.text + line.used, "}}\n", 3);
    line.used += 3;
    telinject_append_(line.text, line.used);
    telinject_bytes_ += line.used;
  }
  atexit(telinject_exit_);
  __atomic_store_n(&telinject_enabled_, 1, __ATOMIC_RELEASE);
  telinject_lock_give_();
}

TELINJECT_WEAK_ int telinject_span_open_(const char* name, const char* file, int line,
                                         const char* language) {
  struct telinject_span* span;
  struct telinject_function_* function;
  uint64_t trace_high, trace_low, parent_id;
  int sampled;
  if (__atomic_load_n(&telinject_enabled_, __ATOMIC_ACQUIRE) == -1) telinject_start_(language);
  if (__atomic_load_n(&telinject_enabled_, __ATOMIC_ACQUIRE) != 1) return 0;
  if (telinject_depth_ >= TELINJECT_MAX_DEPTH_) return 0;
  function = telinject_function_(name);
  if (telinject_sample_all_ && !telinject_admit_(function)) {
    telinject_drop_(function, TELINJECT_RATE_LIMIT_);
    return 0; /* no frame: its callees take its caller as parent */
  }
  if (telinject_depth_ > 0) {
    span = &telinject_stack_[telinject_depth_ - 1];
    trace_high = span->trace_high;
    trace_low = span->trace_low;
    parent_id = span->span_id;
    sampled = span->sampled;
  } else if (telinject_remote_) {
    trace_high = telinject_remote_high_;
    trace_low = telinject_remote_low_;
    parent_id = telinject_remote_span_;
    sampled = telinject_remote_sampled_;
  } else {
    trace_high = telinject_random_();
    trace_low = telinject_random_();
    parent_id = 0;
    sampled = telinject_sample_all_ || (trace_low >> 1) < telinject_sample_bound_;
  }
  if (sampled && !telinject_sample_all_ && !telinject_admit_(function)) {
    telinject_drop_(function, TELINJECT_RATE_LIMIT_);
    return 0;
  }
  if (!sampled) telinject_drop_(function, TELINJECT_SAMPLING_);
  span = &telinject_stack_[telinject_depth_++];
  span->name = name;
  span->file = file;
  span->line = line;
  span->sampled = sampled;
  span->function = function;
  span->trace_high = trace_high;
  span->trace_low = trace_low;
  span->parent_id = parent_id;
  span->span_id = telinject_random_();
  if (sampled) {
    span->start_unix_ns = telinject_clock_(0);
    span->start_monotonic_ns = telinject_clock_(1);
  }
  return 1;
}

TELINJECT_WEAK_ void telinject_span_close_(int error, const char* type) {
  struct telinject_span* span;
  struct telinject_line_ line;
  uint64_t duration;
  if (telinject_depth_ <= 0) return;
  span = &telinject_stack_[--telinject_depth_];
  if (!span->sampled) return;
  if (__atomic_load_n(&telinject_cap_warned_, __ATOMIC_RELAXED)) { /* the cap was reached */
    telinject_drop_(span->function, TELINJECT_SIZE_CAP_);
    return;
  }
  duration = telinject_clock_(1) - span->start_monotonic_ns;
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
  if (telinject_max_bytes_ && telinject_bytes_ + line.used > telinject_max_bytes_) {
    telinject_lock_give_();
    telinject_drop_(span->function, TELINJECT_SIZE_CAP_);
    if (!__atomic_exchange_n(&telinject_cap_warned_, 1, __ATOMIC_RELAXED)) {
      line.used = 0;
      telinject_put_(&line, "telinject: ", 0);
      telinject_put_(&line, telinject_out_name_, 0);
      telinject_put_(&line, " reached TELINJECT_MAX_BYTES (", 0);
      telinject_put_number_(&line, telinject_max_bytes_);
      telinject_put_(&line, " bytes): no more spans are written to it\n", 0);
      fwrite(line.text, 1, line.used, stderr);
    }
    return;
  }
  telinject_append_(line.text, line.used);
  telinject_bytes_ += line.used;
  ++telinject_spans_written_;
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
