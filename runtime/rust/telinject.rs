// telinject runtime helper for Rust (written by telinject, removed by `telinject remove`).
//! Spans for functions instrumented by telinject: `let _telinject_span = crate::telinject::span(
//! "name", file!(), line!());` opens one; its Drop closes it (also on `?`, early returns and
//! panics, which set the status to error). With TELINJECT_OUT set, records are appended to that
//! file as JSON Lines (docs/telemetry.md); unset, a call costs one atomic load. No dependencies.
#![allow(dead_code, unused_extern_crates, unused_imports, unused_qualifications, unreachable_pub)]
#![allow(clippy::all, clippy::pedantic, clippy::nursery, clippy::restriction)]

// Named here so that the helper also builds in a crate that is `no_std` without its `std`
// feature (the standard library is then not in the crate's prelude).
extern crate std;

use self::std::cell::RefCell;
use self::std::collections::hash_map::RandomState;
use self::std::collections::HashMap;
use self::std::env;
use self::std::fmt;
use self::std::fs::{File, OpenOptions};
use self::std::hash::{BuildHasher, Hasher};
use self::std::io::Write;
use self::std::process;
use self::std::string::String;
use self::std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use self::std::sync::Mutex;
use self::std::thread;
use self::std::time::{Instant, SystemTime, UNIX_EPOCH};
use self::std::vec::Vec;

const UNKNOWN: usize = 0;
const OFF: usize = 1;
const ON: usize = 2;
// A thread's buffer is written when it grows past FLUSH_BYTES, when an outermost span ends at
// least FLUSH_NANOS after the last write, and when the thread ends (the main thread's at exit:
// its thread-locals are dropped by the C library's exit, as for every thread).
const FLUSH_BYTES: usize = 64 * 1024;
const FLUSH_NANOS: u64 = 100_000_000;

static STATE: AtomicUsize = AtomicUsize::new(UNKNOWN);
// The volume settings (docs/telemetry.md "Volume"), read with TELINJECT_OUT.
static SAMPLE_BELOW: AtomicU64 = AtomicU64::new(u64::MAX); // trace ids' low word below: recorded
static RATE_FIRST: AtomicU64 = AtomicU64::new(1000); // u64::MAX: no rate limit
static RATE_PER_SECOND: AtomicU64 = AtomicU64::new(10);
static MAX_BYTES: AtomicU64 = AtomicU64::new(100_000_000); // 0: no cap
static WRITTEN: AtomicU64 = AtomicU64::new(0);
static CAPPED: AtomicBool = AtomicBool::new(false);
static LIMITS: Mutex<Option<HashMap<&'static str, Limiter>>> = Mutex::new(None);

static NEXT_THREAD: AtomicU64 = AtomicU64::new(1);
static RESOURCE_WRITTEN: AtomicBool = AtomicBool::new(false);
static OUTPUT: Mutex<Option<File>> = Mutex::new(None);

// The rate limit of one function: the first calls, then a bucket of RATE_PER_SECOND tokens;
// what it turns away, and what sampling turns away, is counted for the `dropped` lines.
struct Limiter {
    calls: u64,
    tokens: f64,
    refilled_ns: u64,
    dropped_rate_limit: u64,
    dropped_sampling: u64,
}

struct Frame {
    trace: (u64, u64),
    id: u64,
    sampled: bool,
}

struct ThreadState {
    stack: Vec<Frame>,
    buffer: String,
    thread_id: u64,
    random: u64,
    flushed_ns: u64,
    pid: u64, // getpid is a system call: asked once per thread
}

impl ThreadState {
    fn new() -> ThreadState {
        let mut hasher = RandomState::new().build_hasher();
        let thread_id = NEXT_THREAD.fetch_add(1, Ordering::Relaxed);
        hasher.write_u64(thread_id);
        hasher.write_u32(process::id());
        hasher.write_u128(now_ns() as u128);
        ThreadState {
            stack: Vec::new(),
            buffer: String::new(),
            thread_id,
            random: hasher.finish() | 1,
            flushed_ns: 0,
            pid: u64::from(process::id()),
        }
    }

    // xorshift64*: ids need to be unique, not secret.
    fn next_id(&mut self) -> u64 {
        loop {
            let mut x = self.random;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.random = x;
            let id = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
            if id != 0 {
                return id;
            }
        }
    }
}

impl Drop for ThreadState {
    fn drop(&mut self) {
        flush(&mut self.buffer);
    }
}

self::std::thread_local! {
    static THREAD: RefCell<ThreadState> = RefCell::new(ThreadState::new());
}

fn enabled() -> bool {
    match STATE.load(Ordering::Relaxed) {
        ON => true,
        OFF => false,
        _ => {
            let on = env::var_os("TELINJECT_OUT").map_or(false, |path| !path.is_empty());
            if on {
                read_settings();
            }
            STATE.store(if on { ON } else { OFF }, Ordering::Relaxed);
            on
        }
    }
}

fn warn(variable: &str, value: &str) {
    let _ = writeln!(
        self::std::io::stderr(),
        "telinject: ignoring {}={:?} (bad value; the default applies)",
        variable,
        value
    );
}

fn read_settings() {
    if let Ok(value) = env::var("TELINJECT_SAMPLE") {
        match value.trim().parse::<f64>() {
            Ok(ratio) if (0.0..=1.0).contains(&ratio) => {
                let below = if ratio >= 1.0 { u64::MAX } else { (ratio * u64::MAX as f64) as u64 };
                SAMPLE_BELOW.store(below, Ordering::Relaxed);
            }
            _ => warn("TELINJECT_SAMPLE", &value),
        }
    }
    if let Ok(value) = env::var("TELINJECT_RATE_LIMIT") {
        let text = value.trim();
        let mut parts = text.splitn(2, ',');
        let first = parts.next().and_then(|n| n.trim().parse::<u64>().ok());
        let rate = parts.next().and_then(|r| r.trim().parse::<u64>().ok());
        match (first, rate) {
            _ if text == "off" => RATE_FIRST.store(u64::MAX, Ordering::Relaxed),
            (Some(first), Some(rate)) => {
                RATE_FIRST.store(first, Ordering::Relaxed);
                RATE_PER_SECOND.store(rate, Ordering::Relaxed);
            }
            _ => warn("TELINJECT_RATE_LIMIT", &value),
        }
    }
    if let Ok(value) = env::var("TELINJECT_MAX_BYTES") {
        match parse_size(value.trim()) {
            Some(bytes) => MAX_BYTES.store(bytes, Ordering::Relaxed),
            None => warn("TELINJECT_MAX_BYTES", &value),
        }
    }
}

// "100M", "5k", "2G" (powers of 1000), "off" or "0": no cap.
fn parse_size(text: &str) -> Option<u64> {
    if text == "off" {
        return Some(0);
    }
    let (digits, scale) = match text.chars().last() {
        Some('k') => (&text[..text.len() - 1], 1_000),
        Some('M') => (&text[..text.len() - 1], 1_000_000),
        Some('G') => (&text[..text.len() - 1], 1_000_000_000),
        _ => (text, 1),
    };
    digits.parse::<u64>().ok().map(|n| n.saturating_mul(scale))
}

// Whether the call of `name` starting at `now` is recorded; counts it as dropped when not.
fn admit(name: &'static str, now: u64, sampled: bool) -> bool {
    let first = RATE_FIRST.load(Ordering::Relaxed);
    if sampled && first == u64::MAX {
        return true;
    }
    let mut limits = match LIMITS.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    let limiter = limits.get_or_insert_with(HashMap::new).entry(name).or_insert(Limiter {
        calls: 0,
        tokens: 0.0,
        refilled_ns: now,
        dropped_rate_limit: 0,
        dropped_sampling: 0,
    });
    if !sampled {
        limiter.dropped_sampling += 1;
        return false;
    }
    limiter.calls += 1;
    if limiter.calls <= first {
        return true;
    }
    let rate = RATE_PER_SECOND.load(Ordering::Relaxed) as f64;
    let elapsed = now.saturating_sub(limiter.refilled_ns) as f64 / 1e9;
    limiter.tokens = (limiter.tokens + elapsed * rate).min(rate);
    limiter.refilled_ns = now;
    if limiter.tokens >= 1.0 {
        limiter.tokens -= 1.0;
        return true;
    }
    limiter.dropped_rate_limit += 1;
    false
}

// The `dropped` lines for what was turned away since the last ones (their counts add up).
fn dropped_lines(pid: u64) -> String {
    let mut b = String::new();
    let mut limits = match LIMITS.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(ref mut limits) = *limits {
        for (name, limiter) in limits.iter_mut() {
            for &(count, reason) in &[
                (limiter.dropped_sampling, "sampling"),
                (limiter.dropped_rate_limit, "rate_limit"),
            ] {
                if count == 0 {
                    continue;
                }
                b.push_str("{\"dropped\": ");
                push_number(&mut b, count);
                b.push_str(", \"name\": ");
                push_string(&mut b, name);
                b.push_str(", \"reason\": \"");
                b.push_str(reason);
                b.push_str("\", \"process.pid\": ");
                push_number(&mut b, pid);
                b.push_str("}\n");
            }
            limiter.dropped_sampling = 0;
            limiter.dropped_rate_limit = 0;
        }
    }
    b
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() * 1_000_000_000 + u64::from(d.subsec_nanos()))
        .unwrap_or(0)
}

/// An open span; dropping it ends the span.
pub struct Span {
    open: Option<OpenSpan>,
}

struct OpenSpan {
    recorded: bool, // false: only keeps an unsampled trace's place on the stack
    name: &'static str,
    file: &'static str,
    line: u32,
    trace: (u64, u64),
    id: u64,
    parent: u64,
    start_ns: u64,
    start: Instant,
}

/// Opens the span of one call of the function `name` (its body starts at `file`:`line`).
#[inline]
pub fn span(name: &'static str, file: &'static str, line: u32) -> Span {
    if !enabled() {
        return Span { open: None };
    }
    Span { open: open(name, file, line) }
}

#[inline(never)]
fn open(name: &'static str, file: &'static str, line: u32) -> Option<OpenSpan> {
    THREAD
        .try_with(|state| {
            let mut state = state.borrow_mut();
            let (trace, parent, sampled) = match state.stack.last() {
                Some(frame) => (frame.trace, frame.id, frame.sampled),
                None => {
                    let trace = (state.next_id(), state.next_id());
                    let below = SAMPLE_BELOW.load(Ordering::Relaxed);
                    (trace, 0, below == u64::MAX || trace.1 < below)
                }
            };
            let start_ns = now_ns();
            let recorded = admit(name, start_ns, sampled);
            if !recorded && sampled {
                // Rate-limited: its callees take its caller as their parent.
                return None;
            }
            let id = state.next_id();
            state.stack.push(Frame { trace, id, sampled });
            Some(OpenSpan {
                recorded,
                name,
                file,
                line,
                trace,
                id,
                parent,
                start_ns,
                start: Instant::now(),
            })
        })
        .ok()
        .and_then(|span| span)
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("telinject::Span")
    }
}

impl Drop for Span {
    #[inline]
    fn drop(&mut self) {
        if let Some(ref span) = self.open {
            close(span);
        }
    }
}

#[inline(never)]
fn close(span: &OpenSpan) {
    let duration = span.start.elapsed();
    let duration_ns = duration.as_secs() * 1_000_000_000 + u64::from(duration.subsec_nanos());
    let failed = thread::panicking();
    let _ = THREAD.try_with(|state| {
        let mut state = state.borrow_mut();
        // Spans of futures polled in turn on one thread may end out of order.
        if let Some(at) = state.stack.iter().rposition(|frame| frame.id == span.id) {
            state.stack.remove(at);
        }
        if !span.recorded {
            return;
        }
        let (thread_id, pid) = (state.thread_id, state.pid);
        write_record(&mut state.buffer, span, duration_ns, failed, thread_id, pid);
        let end_ns = span.start_ns + duration_ns;
        if state.buffer.len() >= FLUSH_BYTES
            || (state.stack.is_empty() && end_ns.saturating_sub(state.flushed_ns) >= FLUSH_NANOS)
        {
            state.flushed_ns = end_ns;
            flush(&mut state.buffer);
        }
    });
}

fn write_record(
    b: &mut String,
    span: &OpenSpan,
    duration_ns: u64,
    failed: bool,
    thread: u64,
    pid: u64,
) {
    b.push_str("{\"name\": ");
    push_string(b, span.name);
    b.push_str(", \"code.function.name\": ");
    push_string(b, span.name);
    b.push_str(", \"code.file.path\": ");
    push_string(b, span.file);
    b.push_str(", \"code.line.number\": ");
    push_number(b, u64::from(span.line));
    b.push_str(", \"trace_id\": \"");
    push_hex(b, span.trace.0);
    push_hex(b, span.trace.1);
    b.push_str("\", \"span_id\": \"");
    push_hex(b, span.id);
    b.push_str("\", \"parent_span_id\": ");
    if span.parent == 0 {
        b.push_str("null");
    } else {
        b.push('"');
        push_hex(b, span.parent);
        b.push('"');
    }
    b.push_str(", \"start_time_unix_nano\": ");
    push_number(b, span.start_ns);
    b.push_str(", \"duration_ns\": ");
    push_number(b, duration_ns);
    if failed {
        b.push_str(", \"status\": \"error\", \"exception.type\": \"panic\"");
        b.push_str(", \"exception.message\": \"panicked\"");
    } else {
        b.push_str(", \"status\": \"ok\"");
    }
    b.push_str(", \"thread.id\": ");
    push_number(b, thread);
    b.push_str(", \"process.pid\": ");
    push_number(b, pid);
    b.push_str("}\n");
}

fn push_number(b: &mut String, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    b.push_str(self::std::str::from_utf8(&digits[at..]).unwrap_or("0"));
}

fn push_hex(b: &mut String, value: u64) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut digits = [0u8; 16];
    for (i, digit) in digits.iter_mut().enumerate() {
        *digit = HEX[((value >> ((15 - i) * 4)) & 0xF) as usize];
    }
    b.push_str(self::std::str::from_utf8(&digits).unwrap_or("0000000000000000"));
}

fn push_string(b: &mut String, text: &str) {
    b.push('"');
    for c in text.chars() {
        match c {
            '"' => b.push_str("\\\""),
            '\\' => b.push_str("\\\\"),
            '\n' => b.push_str("\\n"),
            '\r' => b.push_str("\\r"),
            '\t' => b.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                b.push_str("\\u00");
                b.push(HEX[(c as usize) >> 4] as char);
                b.push(HEX[(c as usize) & 0xF] as char);
            }
            c => b.push(c),
        }
    }
    b.push('"');
}

fn resource_line() -> String {
    let mut b = String::new();
    b.push_str("{\"resource\": {\"service.name\": ");
    match env::var("OTEL_SERVICE_NAME") {
        Ok(ref name) if !name.is_empty() => push_string(&mut b, name),
        _ => push_string(&mut b, "unknown_service:rust"),
    }
    b.push_str(", \"telemetry.sdk.name\": \"telinject\", \"telemetry.sdk.language\": \"rust\"");
    b.push_str(", \"process.pid\": ");
    push_number(&mut b, u64::from(process::id()));
    b.push_str("}}\n");
    b
}

// Appends the buffered lines to TELINJECT_OUT in one write (whole lines: several threads and
// processes may share the file), the resource line before the process's first.
fn flush(buffer: &mut String) {
    let dropped = dropped_lines(u64::from(process::id()));
    if buffer.is_empty() && dropped.is_empty() {
        return;
    }
    let mut output = match OUTPUT.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    if output.is_none() {
        let path = match env::var_os("TELINJECT_OUT") {
            Some(path) => path,
            None => return buffer.clear(),
        };
        match OpenOptions::new().create(true).append(true).open(&path) {
            Ok(file) => *output = Some(file),
            Err(error) => {
                let _ = writeln!(
                    self::std::io::stderr(),
                    "telinject: cannot open TELINJECT_OUT: {}",
                    error
                );
                STATE.store(OFF, Ordering::Relaxed);
                return buffer.clear();
            }
        }
    }
    if let Some(ref mut file) = *output {
        if !RESOURCE_WRITTEN.swap(true, Ordering::Relaxed) {
            buffer.insert_str(0, &resource_line());
        }
        let cap = MAX_BYTES.load(Ordering::Relaxed);
        let written = WRITTEN.load(Ordering::Relaxed);
        if cap != 0 && written + buffer.len() as u64 > cap {
            // The whole lines that still fit.
            let room = cap.saturating_sub(written) as usize;
            let keep = buffer[..room.min(buffer.len())].rfind('\n').map_or(0, |at| at + 1);
            buffer.truncate(keep);
            if !CAPPED.swap(true, Ordering::Relaxed) {
                let _ = writeln!(
                    self::std::io::stderr(),
                    "telinject: TELINJECT_OUT reached TELINJECT_MAX_BYTES ({} bytes): no more \
                     spans are written",
                    cap
                );
            }
        }
        buffer.push_str(&dropped);
        WRITTEN.fetch_add(buffer.len() as u64, Ordering::Relaxed);
        let _ = file.write_all(buffer.as_bytes());
    }
    buffer.clear();
}
