// telinject runtime helper for Java: spans for the methods telinject instrumented (docs/java.md).
//
// Instrumented bodies call `telinject.Telinject.span(name, file, line)` first, `error(t)` on the
// span from the catch telinject puts around the body, and `end()` from its finally. Written into
// the source root by telinject (telinject/Telinject.java); Java 8, the standard library only.
//
// Records (docs/telemetry.md is the contract): when TELINJECT_OUT names a file, finished spans
// are formatted as JSON Lines into a buffer shared by the process's threads and appended to the
// file in whole lines when the buffer holds 1 MiB, every second (a daemon thread) and at exit (a
// shutdown hook: a normal exit, System.exit, an uncaught exception, SIGTERM). A resource line
// comes first. The current span is per thread: a span's parent is the span open on its thread
// when it started. TELINJECT_SAMPLE (the ratio of traces recorded, by trace id) is honoured; a
// trace left out records nothing. Without TELINJECT_OUT, span() returns one shared no-op span.
//
// Safety: telemetry never throws into the program; a write that fails turns recording off with
// one message on stderr.
package telinject;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** Spans for instrumented functions: see the comment at the top of this file. */
public final class Telinject {
  private Telinject() {}

  /** An open span; this base class records nothing (telemetry off). */
  public static class Span {
    Span() {}

    /** Marks the span failed with `error` (the body threw it; it is thrown on unchanged). */
    public void error(Throwable error) {}

    /** Ends the span. */
    public void end() {}
  }

  private static final Span NO_SPAN = new Span();
  private static final Recorder RECORDER = Recorder.start();

  /** The span of one call of the function `name`, written at `file`:`line` (original line). */
  public static Span span(String name, String file, int line) {
    Recorder recorder = RECORDER;
    return recorder == null ? NO_SPAN : recorder.open(name, file, line);
  }

  /** Writes the spans buffered so far. */
  public static void flush() {
    Recorder recorder = RECORDER;
    if (recorder != null) recorder.flush();
  }

  private static class Live extends Span {
    final Recorder recorder;
    final String name;
    final String file;
    final int line;
    final long traceHigh;
    final long traceLow;
    final long id;
    final Live parent;
    final long startNanos;
    Throwable failure;

    Live(Recorder recorder, String name, String file, int line, Live parent) {
      this.recorder = recorder;
      this.name = name;
      this.file = file;
      this.line = line;
      this.parent = parent;
      ThreadLocalRandom random = ThreadLocalRandom.current();
      if (parent != null) {
        traceHigh = parent.traceHigh;
        traceLow = parent.traceLow;
      } else {
        traceHigh = random.nextLong();
        traceLow = random.nextLong() | 1;
      }
      long next = random.nextLong();
      id = next == 0 ? 1 : next;
      startNanos = System.nanoTime();
    }

    @Override
    public void error(Throwable error) {
      failure = error;
    }

    @Override
    public void end() {
      long duration = System.nanoTime() - startNanos;
      recorder.close(this, duration);
    }
  }

  // A trace left out by sampling: its calls are still current (so their callees know to leave
  // themselves out) but nothing is written.
  private static final class Unsampled extends Live {
    Unsampled(Recorder recorder, String name, Live parent) {
      super(recorder, name, "", 0, parent);
    }
  }

  private static final class Recorder {
    private static final int FLUSH_BYTES = 1 << 20;

    private final ThreadLocal<Live> current = new ThreadLocal<>();
    private final long anchorUnixNanos;
    private final long anchorNanos;
    private final long pid;
    private final long sampleBound; // a root is recorded when its trace id's low bits are below
    private final StringBuilder buffer = new StringBuilder(1 << 16);
    private final String path;
    private FileOutputStream out;
    private boolean failed;

    private Recorder(String path, double sample) {
      this.path = path;
      anchorNanos = System.nanoTime();
      anchorUnixNanos = System.currentTimeMillis() * 1_000_000L;
      pid = processId();
      sampleBound = sample >= 1 ? Long.MAX_VALUE : (long) (sample * Long.MAX_VALUE);
      buffer.append(resourceLine(pid));
    }

    static Recorder start() {
      try {
        String path = System.getenv("TELINJECT_OUT");
        if (path == null || path.isEmpty()) return null;
        final Recorder recorder = new Recorder(path, sampleRatio());
        Runtime.getRuntime().addShutdownHook(new Thread(recorder::flush, "telinject-exit"));
        Thread timer = new Thread(recorder::flushEverySecond, "telinject-flush");
        timer.setDaemon(true);
        timer.start();
        return recorder;
      } catch (RuntimeException | Error e) {
        System.err.println("telinject: recording off: " + e);
        return null;
      }
    }

    private static double sampleRatio() {
      String text = System.getenv("TELINJECT_SAMPLE");
      if (text == null || text.isEmpty()) return 1;
      try {
        double ratio = Double.parseDouble(text.trim());
        if (ratio >= 0 && ratio <= 1) return ratio;
      } catch (NumberFormatException e) {
        // reported below
      }
      System.err.println("telinject: TELINJECT_SAMPLE=" + text + " ignored (a ratio from 0 to 1)");
      return 1;
    }

    Live open(String name, String file, int line) {
      Live parent = current.get();
      Live span;
      if (parent instanceof Unsampled) {
        span = new Unsampled(this, name, parent);
      } else {
        span = new Live(this, name, file, line, parent);
        if (parent == null && (span.traceLow >>> 1) >= sampleBound)
          span = new Unsampled(this, name, null);
      }
      current.set(span);
      return span;
    }

    void close(Live span, long duration) {
      if (current.get() == span) current.set(span.parent);
      if (span instanceof Unsampled) return;
      StringBuilder line = new StringBuilder(256);
      line.append("{\"name\": ");
      appendString(line, span.name);
      line.append(", \"code.function.name\": ");
      appendString(line, span.name);
      line.append(", \"code.file.path\": ");
      appendString(line, span.file);
      line.append(", \"code.line.number\": ").append(span.line);
      line.append(", \"trace_id\": \"");
      appendHex(line, span.traceHigh);
      appendHex(line, span.traceLow);
      line.append("\", \"span_id\": \"");
      appendHex(line, span.id);
      line.append("\", \"parent_span_id\": ");
      if (span.parent == null) {
        line.append("null");
      } else {
        line.append('"');
        appendHex(line, span.parent.id);
        line.append('"');
      }
      line.append(", \"start_time_unix_nano\": ")
          .append(anchorUnixNanos + (span.startNanos - anchorNanos));
      line.append(", \"duration_ns\": ").append(duration);
      if (span.failure != null) {
        line.append(", \"status\": \"error\", \"exception.type\": ");
        appendString(line, span.failure.getClass().getName());
        line.append(", \"exception.message\": ");
        String message = span.failure.getMessage();
        appendString(line, message == null ? "" : message);
      } else {
        line.append(", \"status\": \"ok\"");
      }
      line.append(", \"thread.id\": ").append(threadId());
      line.append(", \"process.pid\": ").append(pid).append("}\n");
      boolean full;
      synchronized (buffer) {
        buffer.append(line);
        full = buffer.length() >= FLUSH_BYTES;
      }
      if (full) flush();
    }

    void flush() {
      byte[] bytes;
      synchronized (buffer) {
        if (buffer.length() == 0 || failed) return;
        bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
        buffer.setLength(0);
      }
      synchronized (this) {
        if (failed) return;
        try {
          if (out == null) out = new FileOutputStream(path, true);
          out.write(bytes); // one write of whole lines: processes sharing the file never mix lines
          out.flush();
        } catch (IOException e) {
          failed = true;
          System.err.println("telinject: cannot write " + path + ": " + e.getMessage());
        }
      }
    }

    private void flushEverySecond() {
      for (;;) {
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
        flush();
      }
    }

    @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+
    private static long threadId() {
      return Thread.currentThread().getId();
    }

    // By reflection: ProcessHandle is Java 9+, and java.management may not be readable from
    // the module the helper is compiled into.
    private static long processId() {
      try {
        Class<?> handle = Class.forName("java.lang.ProcessHandle");
        Object current = handle.getMethod("current").invoke(null);
        return ((Long) handle.getMethod("pid").invoke(current)).longValue();
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        // Java 8: "pid@host" from the runtime bean
      }
      try {
        Object bean = Class.forName("java.lang.management.ManagementFactory")
            .getMethod("getRuntimeMXBean").invoke(null);
        String name = (String) Class.forName("java.lang.management.RuntimeMXBean")
            .getMethod("getName").invoke(bean);
        int at = name.indexOf('@');
        return Long.parseLong(at > 0 ? name.substring(0, at) : name);
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        return 0;
      }
    }

    private static String resourceLine(long pid) {
      StringBuilder line = new StringBuilder("{\"resource\": {\"service.name\": ");
      String service = System.getenv("OTEL_SERVICE_NAME");
      appendString(line, service == null || service.isEmpty() ? "unknown_service:java" : service);
      line.append(", \"telemetry.sdk.name\": \"telinject\", \"telemetry.sdk.language\": \"java\"");
      line.append(", \"process.pid\": ").append(pid);
      line.append(", \"process.runtime.name\": ");
      appendString(line, String.valueOf(System.getProperty("java.runtime.name")));
      line.append(", \"process.runtime.version\": ");
      appendString(line, String.valueOf(System.getProperty("java.version")));
      String attributes = System.getenv("OTEL_RESOURCE_ATTRIBUTES");
      if (attributes != null && !attributes.isEmpty()) {
        for (String pair : attributes.split(",")) {
          int equals = pair.indexOf('=');
          if (equals <= 0) continue;
          String key = pair.substring(0, equals).trim();
          if (key.equals("service.name") || key.equals("process.pid")
              || key.startsWith("telemetry.sdk.")) continue;
          line.append(", ");
          appendString(line, key);
          line.append(": ");
          appendString(line, percentDecoded(pair.substring(equals + 1).trim()));
        }
      }
      return line.append("}}\n").toString();
    }

    private static String percentDecoded(String text) {
      try {
        return java.net.URLDecoder.decode(text.replace("+", "%2B"), "UTF-8");
      } catch (java.io.UnsupportedEncodingException | IllegalArgumentException e) {
        return text;
      }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static void appendHex(StringBuilder out, long value) {
      for (int shift = 60; shift >= 0; shift -= 4) out.append(HEX[(int) (value >>> shift) & 15]);
    }

    private static void appendString(StringBuilder out, String value) {
      out.append('"');
      for (int i = 0; i < value.length(); ++i) {
        char c = value.charAt(i);
        if (c == '"' || c == '\\') {
          out.append('\\').append(c);
        } else if (c < 0x20) {
          out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 15]);
        } else {
          out.append(c);
        }
      }
      out.append('"');
    }
  }
}
