// telinject runtime helper for Rust (written by telinject, removed by `telinject remove`).
//! Spans for functions instrumented by telinject: `let _telinject_span = crate::telinject::span(
//! "name", file!(), line!());` opens one; its Drop closes it (also on `?`, early returns and
//! panics, which set the status to error). With TELINJECT_OUT set, records are appended to that
//! file as JSON Lines (docs/telemetry.md); unset, a call costs one atomic load. No dependencies.
#![allow(dead_code, unused_extern_crates, unused_imports, unused_qualifications)]
#![allow(clippy::all, clippy::pedantic, clippy::nursery, clippy::restriction)]

// Named here so that the helper also builds in a crate that is `no_std` without its `std`
// feature (the standard library is then not in the crate's prelude).
extern crate std;

use self::std::cell::RefCell;
use self::std::collections::hash_map::RandomState;
use self::std::env;
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
// A thread's buffer is written when its outermost span ends, or when it grows past this.
const FLUSH_BYTES: usize = 64 * 1024;

static STATE: AtomicUsize = AtomicUsize::new(UNKNOWN);
static NEXT_THREAD: AtomicU64 = AtomicU64::new(1);
static RESOURCE_WRITTEN: AtomicBool = AtomicBool::new(false);
static OUTPUT: Mutex<Option<File>> = Mutex::new(None);

struct Frame {
    trace: (u64, u64),
    id: u64,
}

struct ThreadState {
    stack: Vec<Frame>,
    buffer: String,
    thread_id: u64,
    random: u64,
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
            STATE.store(if on { ON } else { OFF }, Ordering::Relaxed);
            on
        }
    }
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() * 1_000_000_000 + u64::from(d.subsec_nanos()))
        .unwrap_or(0)
}

/// An open span; dropping it ends the span.
pub(crate) struct Span {
    open: Option<OpenSpan>,
}

struct OpenSpan {
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
pub(crate) fn span(name: &'static str, file: &'static str, line: u32) -> Span {
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
            let (trace, parent) = match state.stack.last() {
                Some(frame) => (frame.trace, frame.id),
                None => ((state.next_id(), state.next_id()), 0),
            };
            let id = state.next_id();
            state.stack.push(Frame { trace, id });
            OpenSpan {
                name,
                file,
                line,
                trace,
                id,
                parent,
                start_ns: now_ns(),
                start: Instant::now(),
            }
        })
        .ok()
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
        let thread_id = state.thread_id;
        write_record(&mut state.buffer, span, duration_ns, failed, thread_id);
        if state.stack.is_empty() || state.buffer.len() >= FLUSH_BYTES {
            flush(&mut state.buffer);
        }
    });
}

fn write_record(b: &mut String, span: &OpenSpan, duration_ns: u64, failed: bool, thread: u64) {
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
    push_number(b, u64::from(process::id()));
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
    for &digit in &digits[at..] {
        b.push(digit as char);
    }
}

fn push_hex(b: &mut String, value: u64) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for shift in (0..16).rev() {
        b.push(HEX[((value >> (shift * 4)) & 0xF) as usize] as char);
    }
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
    if buffer.is_empty() {
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
        let _ = file.write_all(buffer.as_bytes());
    }
    buffer.clear();
}
