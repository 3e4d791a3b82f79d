// Package telinject records spans for the functions telinject instrumented. telinject writes it
// into the module (telinject/telinject.go beside go.mod); it uses the standard library only.
//
// Every instrumented function starts with
//
//	defer _telinject.Span("example.com/m/pkg.(*Type).Method")()
//
// Records: when the environment variable TELINJECT_OUT names a file, each finished span is
// appended to it as one JSON object per line, with the fields of telinject's other runtimes
// (name, code.function.name, code.file.path, code.line.number, trace_id, span_id,
// parent_span_id, start_time_unix_nano, duration_ns, status, exception.type, thread.id,
// process.pid). Each record is one write on a file opened with O_APPEND, so processes never
// interleave lines. When TELINJECT_OUT is unset, Span returns one shared no-op function.
//
// Panics: the deferred function recovers a panic that passes through, records the span with
// status "error" and exception.type set to the panic value's type, and panics again with the
// same value: callers see the same value, and the stack printed when the program dies still
// shows where it first panicked (the runtime marks the first panic "[recovered]").
//
// Parents: Go has no goroutine-local storage, so spans nest per goroutine (thread.id is the
// goroutine's id). The first span of a goroutine starts a new trace.
package telinject

import (
	"crypto/rand"
	"encoding/binary"
	mathrand "math/rand"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

type span struct {
	name      string
	file      string
	line      int
	trace     [2]uint64
	id        uint64
	parent    uint64
	start     time.Time
	goroutine uint64
}

type location struct {
	file string
	line int
}

var (
	on        int32 // 1 when records are written
	mu        sync.Mutex
	out       *os.File
	ids       *mathrand.Rand
	open      = map[uint64][]*span{} // goroutine id -> its unfinished spans, innermost last
	locations sync.Map               // pc -> location of the function's declaration
	// Return addresses in instrumented functions (not the runtime's): deferred calls made there
	// are returns, never panics.
	notPanicking sync.Map
	pid          = os.Getpid()
)

func init() {
	var seed [8]byte
	if _, err := rand.Read(seed[:]); err != nil {
		binary.LittleEndian.PutUint64(seed[:], uint64(time.Now().UnixNano()))
	}
	ids = mathrand.New(mathrand.NewSource(int64(binary.LittleEndian.Uint64(seed[:]))))
	_ = Configure(os.Getenv("TELINJECT_OUT"))
}

// Configure sends records to the file at path (appending), or turns recording off when path is
// empty. It is called with $TELINJECT_OUT when the program starts.
func Configure(path string) error {
	mu.Lock()
	defer mu.Unlock()
	if out != nil {
		out.Close()
		out = nil
	}
	atomic.StoreInt32(&on, 0)
	if path == "" {
		return nil
	}
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0644)
	if err != nil {
		return err
	}
	out = file
	atomic.StoreInt32(&on, 1)
	return nil
}

// Enabled reports whether spans are recorded.
func Enabled() bool { return atomic.LoadInt32(&on) == 1 }

func noop() {}

// Span starts the span of one call of the function name; the returned function ends it and must
// be deferred by that function itself (it recovers and re-raises panics to record them).
func Span(name string) func() {
	if atomic.LoadInt32(&on) == 0 {
		return noop
	}
	s := &span{name: name, goroutine: goroutineID()}
	if pc, _, _, ok := runtime.Caller(1); ok {
		loc := declaration(pc)
		s.file, s.line = loc.file, loc.line
	}
	mu.Lock()
	stack := open[s.goroutine]
	if len(stack) > 0 {
		top := stack[len(stack)-1]
		s.trace, s.parent = top.trace, top.id
	} else {
		s.trace = [2]uint64{ids.Uint64(), ids.Uint64()}
	}
	s.id = ids.Uint64()
	open[s.goroutine] = append(stack, s)
	mu.Unlock()
	s.start = time.Now()
	return func() {
		r := recover()
		if r != nil {
			s.finish(r, true)
			panic(r)
		}
		if panicking() {
			// panic(nil) before Go 1.21: recover returned nil but stopped the panic.
			s.finish(nil, true)
			panic(r)
		}
		s.finish(nil, false)
	}
}

// declaration is the file and line of the function holding pc.
func declaration(pc uintptr) location {
	if known, ok := locations.Load(pc); ok {
		return known.(location)
	}
	loc := location{}
	if fn := runtime.FuncForPC(pc); fn != nil {
		loc.file, loc.line = fn.FileLine(fn.Entry())
	}
	locations.Store(pc, loc)
	return loc
}

// panicking reports whether the deferred function calling it was called by a panic (rather than
// by its function's return or runtime.Goexit): the frames between it and its caller are then
// the runtime's panic machinery. A normal return calls it from the function itself, even while
// a panic further up the stack runs deferred calls.
func panicking() bool {
	var pcs [8]uintptr
	n := runtime.Callers(3, pcs[:])
	if n == 0 {
		return false
	}
	// The common case, a return: the caller is the instrumented function, whose call site
	// never changes.
	if known, ok := notPanicking.Load(pcs[0]); ok {
		return !known.(bool)
	}
	frames := runtime.CallersFrames(pcs[:n])
	for first := true; ; first = false {
		frame, more := frames.Next()
		if !strings.HasPrefix(frame.Function, "runtime.") {
			if first {
				notPanicking.Store(pcs[0], true)
			}
			return false
		}
		if frame.Function == "runtime.gopanic" {
			return true
		}
		if !more {
			return false
		}
	}
}

func goroutineID() uint64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	// "goroutine 18 [running]:"
	text := buf[:n]
	var id uint64
	for i := len("goroutine "); i < len(text) && text[i] >= '0' && text[i] <= '9'; i++ {
		id = id*10 + uint64(text[i]-'0')
	}
	return id
}

func (s *span) finish(panicValue interface{}, failed bool) {
	duration := time.Since(s.start)
	mu.Lock()
	defer mu.Unlock()
	stack := open[s.goroutine]
	for i := len(stack) - 1; i >= 0; i-- {
		if stack[i] == s {
			stack = append(stack[:i], stack[i+1:]...)
			break
		}
	}
	if len(stack) == 0 {
		delete(open, s.goroutine)
	} else {
		open[s.goroutine] = stack
	}
	if out == nil {
		return
	}
	record := make([]byte, 0, 384)
	record = append(record, `{"name": `...)
	record = appendString(record, s.name)
	record = append(record, `, "code.function.name": `...)
	record = appendString(record, s.name)
	record = append(record, `, "code.file.path": `...)
	record = appendString(record, s.file)
	record = append(record, `, "code.line.number": `...)
	record = strconv.AppendInt(record, int64(s.line), 10)
	record = append(record, `, "trace_id": "`...)
	record = appendHex(record, s.trace[0])
	record = appendHex(record, s.trace[1])
	record = append(record, `", "span_id": "`...)
	record = appendHex(record, s.id)
	record = append(record, `", "parent_span_id": `...)
	if s.parent == 0 {
		record = append(record, "null"...)
	} else {
		record = append(record, '"')
		record = appendHex(record, s.parent)
		record = append(record, '"')
	}
	record = append(record, `, "start_time_unix_nano": `...)
	record = strconv.AppendInt(record, s.start.UnixNano(), 10)
	record = append(record, `, "duration_ns": `...)
	record = strconv.AppendInt(record, int64(duration), 10)
	if failed {
		record = append(record, `, "status": "error", "exception.type": `...)
		record = appendString(record, typeName(panicValue))
	} else {
		record = append(record, `, "status": "ok"`...)
	}
	record = append(record, `, "thread.id": `...)
	record = strconv.AppendUint(record, s.goroutine, 10)
	record = append(record, `, "process.pid": `...)
	record = strconv.AppendInt(record, int64(pid), 10)
	record = append(record, "}\n"...)
	out.Write(record) // telemetry never breaks the program: errors are dropped
}

func appendHex(b []byte, v uint64) []byte {
	const digits = "0123456789abcdef"
	for shift := 60; shift >= 0; shift -= 4 {
		b = append(b, digits[(v>>uint(shift))&0xf])
	}
	return b
}

// typeName is the panic value's type as %T prints it ("*errors.errorString", "string").
func typeName(v interface{}) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
}

// appendString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
