// telinject runtime helper for Java: spans for the methods telinject instrumented (docs/java.md).
//
// Instrumented bodies call `telinject.Telinject.span(name, file, line)` first, `error(t)` on the
// span from the catch telinject puts around the body, and `end()` from its finally. Written into
// the source root by telinject (telinject/Telinject.java); Java 8, the standard library only.
//
// Records (docs/telemetry.md is the contract): when TELINJECT_OUT names a file, finished spans
// are formatted as JSON Lines into a block shared by the process's threads and appended to the
// file in whole lines when the block (128 KiB) is full, every second (a daemon thread) and at
// exit (a shutdown hook: a normal exit, System.exit, an uncaught exception, SIGTERM). A resource line
// comes first. The current span is per thread: a span's parent is the span open on its thread
// when it started. TELINJECT_SAMPLE (the ratio of traces recorded, by trace id),
// TELINJECT_RATE_LIMIT (per function: the first N calls, then R per second) and
// TELINJECT_MAX_BYTES (the file's size cap) leave calls out; "dropped" lines count them per
// function and reason, and a line on stderr at exit sums them up. Without TELINJECT_OUT, span()
// returns one shared no-op span.
//
// Safety: telemetry never throws into the program; a write that fails turns recording off with
// one message on stderr.
package telinject;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

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
    final Function function;
    final String name;
    final String file;
    final int line;
    final long traceHigh;
    final long traceLow;
    final long id;
    final Live parent;
    final long startNanos;
    Throwable failure;

    Live(Recorder recorder, Function function, String name, String file, int line, Live parent) {
      this.recorder = recorder;
      this.function = function;
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
      super(recorder, null, name, "", 0, parent);
    }
  }

  private static final class Prefix {
    final String file;
    final int line;
    final String text;

    Prefix(String file, int line, String text) {
      this.file = file;
      this.line = line;
      this.text = text;
    }
  }

  // A function's rate limit state and its calls left out since the last dropped lines.
  private static final class Function {
    final String name;
    final AtomicLong[] pending = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
    // Its records up to the trace id's value, formatted once (per file and line: overloads share
    // a name).
    volatile Prefix prefix;
    private long calls; // guarded by this, like the window
    private long windowStart;
    private long inWindow;

    Function(String name) {
      this.name = name;
    }

    // The first `first` calls, then at most `perSecond` in each second.
    synchronized boolean admit(long now, long first, long perSecond) {
      if (calls < first) {
        ++calls;
        return true;
      }
      if (now - windowStart >= 1_000_000_000L) {
        windowStart = now;
        inWindow = 0;
      }
      return inWindow++ < perSecond;
    }
  }

  private static final class Recorder {
    // Blocks stay well below G1's humongous size (half a region, 512 KiB at least): a bigger
    // one, allocated per write, cost ~2 us per span in GC.
    private static final int BLOCK_BYTES = 1 << 17;
    private static final int RATE_LIMIT = 0;
    private static final int SAMPLING = 1;
    private static final int SIZE_CAP = 2;
    private static final String[] REASONS = {"rate_limit", "sampling", "size_cap"};

    private final ThreadLocal<Live> current = new ThreadLocal<>();
    private final ConcurrentHashMap<String, Function> functions = new ConcurrentHashMap<>();
    private final long anchorUnixNanos;
    private final long anchorNanos;
    private final long pid;
    private final long sampleBound; // a root is recorded when its trace id's low bits are below
    private final long rateFirst; // Long.MAX_VALUE: no rate limit
    private final long ratePerSecond;
    private final long maxBytes; // Long.MAX_VALUE: no cap
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong[] dropped = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
    private final Object lock = new Object(); // guards block, used, handedOver, out, failed
    private final byte[] block = new byte[BLOCK_BYTES];
    private int used;
    private final String path;
    private volatile boolean capped;
    private long handedOver; // the file's size at start + what this process wrote
    private FileOutputStream out;
    private boolean failed;

    private Recorder(String path) {
      this.path = path;
      anchorNanos = System.nanoTime();
      anchorUnixNanos = System.currentTimeMillis() * 1_000_000L;
      pid = processId();
      double sample = sampleRatio();
      sampleBound = sample >= 1 ? Long.MAX_VALUE : (long) (sample * Long.MAX_VALUE);
      long[] rate = rateLimit();
      rateFirst = rate[0];
      ratePerSecond = rate[1];
      maxBytes = maxBytes();
      handedOver = new java.io.File(path).length();
      byte[] resource = resourceLine(pid).getBytes(StandardCharsets.UTF_8);
      System.arraycopy(resource, 0, block, 0, resource.length);
      used = resource.length;
    }

    static Recorder start() {
      try {
        String path = System.getenv("TELINJECT_OUT");
        if (path == null || path.isEmpty()) return null;
        final Recorder recorder = new Recorder(path);
        Runtime.getRuntime().addShutdownHook(new Thread(recorder::exit, "telinject-exit"));
        Thread timer = new Thread(recorder::flushEverySecond, "telinject-flush");
        timer.setDaemon(true);
        timer.start();
        return recorder;
      } catch (RuntimeException | Error e) {
        System.err.println("telinject: recording off: " + e);
        return null;
      }
    }

    private static void ignored(String variable, String value, String expected) {
      System.err.println("telinject: " + variable + "=" + value + " ignored (" + expected + ")");
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
      ignored("TELINJECT_SAMPLE", text, "a ratio from 0 to 1");
      return 1;
    }

    private static long[] rateLimit() {
      String text = System.getenv("TELINJECT_RATE_LIMIT");
      long[] defaults = {1000, 10};
      if (text == null || text.isEmpty()) return defaults;
      if (text.trim().equals("off")) return new long[] {Long.MAX_VALUE, Long.MAX_VALUE};
      String[] parts = text.split(",");
      try {
        if (parts.length == 2) {
          long[] rate = {Long.parseLong(parts[0].trim()), Long.parseLong(parts[1].trim())};
          if (rate[0] >= 0 && rate[1] >= 0) return rate;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      ignored("TELINJECT_RATE_LIMIT", text, "N,R or off");
      return defaults;
    }

    private static long maxBytes() {
      String text = System.getenv("TELINJECT_MAX_BYTES");
      long fallback = 100_000_000L;
      if (text == null || text.isEmpty()) return fallback;
      String value = text.trim();
      if (value.equals("off") || value.equals("0")) return Long.MAX_VALUE;
      long unit = 1;
      char last = value.charAt(value.length() - 1);
      if (last == 'k' || last == 'M' || last == 'G') {
        unit = last == 'k' ? 1000L : last == 'M' ? 1_000_000L : 1_000_000_000L;
        value = value.substring(0, value.length() - 1);
      }
      try {
        long bytes = Long.parseLong(value);
        if (bytes > 0 && bytes <= Long.MAX_VALUE / unit) return bytes * unit;
      } catch (NumberFormatException e) {
        // reported below
      }
      ignored("TELINJECT_MAX_BYTES", text, "bytes, with k, M or G, or off");
      return fallback;
    }

    private Function function(String name) {
      Function f = functions.get(name);
      return f != null ? f : functions.computeIfAbsent(name, Function::new);
    }

    private Span drop(String name, int reason) {
      function(name).pending[reason].incrementAndGet();
      dropped[reason].incrementAndGet();
      return NO_SPAN;
    }

    // A call left out by the cap or the rate limit gets no span and is not made current: its
    // callees take its caller as parent.
    Span open(String name, String file, int line) {
      Live parent = current.get();
      Live span;
      if (parent instanceof Unsampled) {
        drop(name, SAMPLING);
        span = new Unsampled(this, name, parent);
      } else {
        if (capped) return drop(name, SIZE_CAP);
        Function function = function(name);
        if (rateFirst != Long.MAX_VALUE
            && !function.admit(System.nanoTime(), rateFirst, ratePerSecond))
          return drop(name, RATE_LIMIT);
        span = new Live(this, function, name, file, line, parent);
        if (parent == null && (span.traceLow >>> 1) >= sampleBound) {
          drop(name, SAMPLING);
          span = new Unsampled(this, name, null);
        }
      }
      current.set(span);
      return span;
    }

    void close(Live span, long duration) {
      if (current.get() == span) current.set(span.parent);
      if (span instanceof Unsampled) return;
      StringBuilder line = new StringBuilder(512);
      line.append(prefix(span));
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
      byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
      synchronized (lock) {
        // The cap counts what the file held when recording started, what this process wrote
        // and what it buffered.
        if (handedOver + used + bytes.length > maxBytes) {
          if (!capped) {
            capped = true;
            System.err.println("telinject: " + path + " reached TELINJECT_MAX_BYTES (" + maxBytes
                + " bytes): no more spans are written");
          }
          drop(span.name, SIZE_CAP);
          return;
        }
        append(bytes);
      }
      written.incrementAndGet();
    }

    private static String prefix(Live span) {
      Prefix cached = span.function.prefix;
      if (cached != null && cached.file == span.file && cached.line == span.line)
        return cached.text;
      StringBuilder text = new StringBuilder(256);
      text.append("{\"name\": ");
      appendString(text, span.name);
      text.append(", \"code.function.name\": ");
      appendString(text, span.name);
      text.append(", \"code.file.path\": ");
      appendString(text, span.file);
      text.append(", \"code.line.number\": ").append(span.line);
      text.append(", \"trace_id\": \"");
      span.function.prefix = new Prefix(span.file, span.line, text.toString());
      return text.toString();
    }

    void flush() {
      StringBuilder droppedLines = new StringBuilder();
      for (Function f : functions.values()) {
        for (int reason = 0; reason < REASONS.length; ++reason) {
          long count = f.pending[reason].getAndSet(0);
          if (count == 0) continue;
          droppedLines.append("{\"dropped\": ").append(count).append(", \"name\": ");
          appendString(droppedLines, f.name);
          droppedLines.append(", \"reason\": \"").append(REASONS[reason]);
          droppedLines.append("\", \"process.pid\": ").append(pid).append("}\n");
        }
      }
      byte[] bytes = droppedLines.toString().getBytes(StandardCharsets.UTF_8);
      synchronized (lock) {
        append(bytes);
        write();
      }
    }

    // Adds whole lines to the block, writing it first when they do not fit. Holds lock.
    private void append(byte[] bytes) {
      if (used + bytes.length > block.length) write();
      if (bytes.length > block.length) {
        writeOut(bytes, bytes.length);
        return;
      }
      System.arraycopy(bytes, 0, block, used, bytes.length);
      used += bytes.length;
    }

    // Holds lock.
    private void write() {
      if (used == 0) return;
      writeOut(block, used);
      used = 0;
    }

    // One write of whole lines: processes sharing the file never mix lines. Holds lock.
    private void writeOut(byte[] bytes, int length) {
      handedOver += length;
      if (failed) return;
      try {
        if (out == null) out = new FileOutputStream(path, true);
        out.write(bytes, 0, length);
      } catch (IOException e) {
        failed = true;
        System.err.println("telinject: cannot write " + path + ": " + e.getMessage());
      }
    }

    private void exit() {
      flush();
      long total = dropped[RATE_LIMIT].get() + dropped[SAMPLING].get() + dropped[SIZE_CAP].get();
      if (total == 0) return;
      System.err.println("telinject: " + written.get() + " spans written to " + path + ", " + total
          + " not recorded (rate limit " + dropped[RATE_LIMIT].get() + ", sampling "
          + dropped[SAMPLING].get() + ", size cap " + dropped[SIZE_CAP].get()
          + "); TELINJECT_RATE_LIMIT=off TELINJECT_SAMPLE=1 TELINJECT_MAX_BYTES=off record every"
          + " call");
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
      char[] digits = new char[16];
      for (int i = 15; i >= 0; --i, value >>>= 4) digits[i] = HEX[(int) value & 15];
      out.append(digits);
    }

    private static void appendString(StringBuilder out, String value) {
      out.append('"');
      boolean plain = true;
      for (int i = 0; i < value.length() && plain; ++i) {
        char c = value.charAt(i);
        plain = c >= 0x20 && c != '"' && c != '\\';
      }
      if (plain) {
        out.append(value).append('"');
        return;
      }
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
