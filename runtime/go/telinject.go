// Package telinject records spans for the functions telinject instrumented. telinject writes it
// into the module (telinject/telinject.go beside go.mod); it uses the standard library only and
// builds under any `go` directive from go 1.11 on (no generics, no `any`, no 0o literals).
//
// Every instrumented function starts with
//
//	defer _telinject.Span("example.com/m/pkg.(*Type).Method")()
//
// Records (docs/telemetry.md in telinject's repository is the specification the Python and
// JavaScript helpers share): when TELINJECT_OUT names a file, finished spans are buffered in
// memory and appended to it as JSON Lines in blocks, after a resource line; functions whose calls
// were not recorded (TELINJECT_SAMPLE, TELINJECT_RATE_LIMIT, TELINJECT_MAX_BYTES) get "dropped"
// lines, and the process says once on stderr what it dropped. Each block is one write on a file
// opened with O_APPEND, so processes sharing the file never interleave lines. With
// TELINJECT_OUT_FORMAT=otlp the file gets OTLP/JSON requests instead, and OTEL_TRACES_EXPORTER=otlp
// sends the spans to a collector over OTLP/HTTP when the program was built with
// -tags telinject_otlp (otlp_http.go; the section "OTLP" below says why a tag). When neither
// TELINJECT_OUT nor OTEL_TRACES_EXPORTER=otlp is set, Span returns one shared no-op function (a
// few ns per call).
//
// When records are written (Go has no exit hook): when the span of main.main ends (return or
// panic: with the dropped lines and the summary), when any root span ends (a `go test` binary
// calls os.Exit right after its last test), when the buffer holds 4096 records, every 50 ms
// from a goroutine that runs while records wait. Dropped lines are written at most every 100 ms
// but at exit. What os.Exit or a signal's default action (SIGTERM) skips is lost: the spans of
// open root spans (at most the last 50 ms of them) and the last 100 ms of dropped counts; the
// summary is not printed. SIGTERM is left alone: signal.Notify would change the program (one
// that handles SIGTERM itself would receive it twice, and Go's deadlock detector goes quiet).
//
// Panics: the deferred function recovers a panic that passes through, records the span with
// status "error", exception.type (the value's type) and exception.message (the value as fmt
// prints it), and panics again with the same value: callers see the same value, and the stack
// printed when the program dies still shows where it first panicked.
//
// Parents: spans nest per goroutine (thread.id is the goroutine's id). Go has no goroutine-local
// storage. On amd64 and arm64 (gc) a few lines of assembly read the goroutine's runtime structure
// (goroutine_gc.go), which keys its open spans; its id is read from that structure at an offset
// found at the first span (the ids runtime.Stack prints for three goroutines must match at one
// offset, else every root pays runtime.Stack). Elsewhere runtime.Stack (the only portable way to
// learn a goroutine's id) costs microseconds, so the goroutine is recognised by the 2 KiB block of
// stack its call runs in: a block belongs to one goroutine's stack at a time. A call in a block
// its goroutine has not used since its root span began pays for runtime.Stack once. A goroutine
// whose stack grew (moved) while spans were open keeps its blocks until its root span ends; a
// goroutine started on the freed stack in that window could have its first spans taken for that
// goroutine's children.
package telinject

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unsafe"
)

const (
	flushEvery    = 50 * time.Millisecond  // the background writer's period
	flushRecords  = 4096                   // the buffer size that wakes the writer
	holdRecords   = 4 * flushRecords       // past this a span's end writes itself
	droppedEvery  = 100 * time.Millisecond // dropped lines, at most, but at exit
	stackBlockLog = 11                     // 2 KiB: the smallest goroutine stack
	farParent     = 64 << 10               // a parent further up is taken for a moved stack
	maxFreeSpans  = 4096                   // spans kept for reuse
)

// Drop reasons, in the order of the summary.
const (
	reasonRateLimit = iota
	reasonSampling
	reasonSizeCap
	reasonCount
)

var reasonNames = [reasonCount]string{"rate_limit", "sampling", "size_cap"}

// settings are the volume variables as read by Configure.
type settings struct {
	sampleAll   bool   // TELINJECT_SAMPLE=1 and no unsampled TRACEPARENT: sampling drops nothing
	sampleBound uint64 // traces whose id's low 63 bits are below this are sampled
	limited     bool   // TELINJECT_RATE_LIMIT is not off
	firstCalls  uint64 // recorded before the token bucket applies
	perSecond   float64
	maxBytes    int64 // 0: no cap
	remote      bool  // TRACEPARENT joins a trace
	remoteTrace [2]uint64
	remoteSpan  uint64
	remoteOn    bool // TRACEPARENT's sampled flag
	resource    []keyValue
	line        []byte   // the resource line
	otlpFile    bool     // TELINJECT_OUT_FORMAT=otlp
	target      exporter // OTEL_TRACES_EXPORTER=otlp
}

// function is what is kept per instrumented function: its location and its rate limit.
type function struct {
	name   string
	file   string
	line   int
	prefix []byte // its records up to the trace id's value, formatted once
	calls  uint64 // atomic: calls admitted by the first-N rule
	// The token bucket as a generic cell rate: the earliest time (ns since start) at which the
	// bucket is empty again; a call is admitted when now >= due - burst.
	due int64 // atomic
	// How far below the stack pointer of Span the deferred call runs when the function returns
	// (atomic; constant per function): anything else may be a panic, which the stack tells.
	returnDelta int64
	dropped     [reasonCount]uint64
}

// callStack is one goroutine's open spans, innermost last.
type callStack struct {
	key   uint64 // in goroutines: the goroutine's structure's address, or its id
	goid  uint64
	open  []*span
	epoch uint32 // block entries of older epochs are stale
	// The value of the panic end raised again last on this goroutine (only it reads this).
	raised interface{}
}

type blockEntry struct {
	stack *callStack
	epoch uint32
}

type span struct {
	fn      *function
	stack   *callStack
	sp      uintptr // where Span ran: below its function's frame
	trace   [2]uint64
	id      uint64
	parent  uint64
	root    bool
	sampled bool
	start   int64  // ns since the process started
	end     func() // what Span returns: made once, the span is reused once it ran
}

// record is a finished span waiting to be written.
type finished struct {
	fn       *function
	trace    [2]uint64
	id       uint64
	parent   uint64
	start    int64
	duration int64
	goid     uint64
	failed   bool
	excType  string
	excMsg   string
}

var (
	on  int32 // atomic: 1 while spans are recorded
	pid = os.Getpid()

	functions sync.Map // name -> *function

	current atomic.Value // *settings, replaced by Configure

	// mu guards everything below it.
	mu         sync.Mutex
	blocks     = map[uintptr]blockEntry{}
	goroutines = map[uint64]*callStack{}
	pending    []finished
	spare      []finished // the buffer the last write emptied, for reuse
	random     uint64     // xorshift state
	writerOn   bool
	writerKick = make(chan struct{}, 1)

	// writeMu serialises writes and guards everything below it.
	writeMu      sync.Mutex
	out          *os.File
	outName      string
	written      int64 // bytes this process wrote
	spansWritten uint64
	resourceDone bool
	capWarned    bool
	summaryDone  bool
	lastDropped  time.Time
	formatted    []byte // the block the last write formatted, for reuse

	started         = time.Now()
	startedUnixNano = started.UnixNano()
)

func init() {
	var seed [8]byte
	if _, err := rand.Read(seed[:]); err != nil {
		binary.LittleEndian.PutUint64(seed[:], uint64(time.Now().UnixNano()))
	}
	random = binary.LittleEndian.Uint64(seed[:]) | 1
	_ = start(os.Getenv("TELINJECT_OUT"), exporterListed())
}

// Configure writes what is buffered (and the summary), then sends records to the file at path
// (appending), and over OTLP/HTTP too when OTEL_TRACES_EXPORTER lists otlp, or turns recording
// off when path is empty. It reads the variables (TELINJECT_SAMPLE, TELINJECT_RATE_LIMIT,
// TELINJECT_MAX_BYTES, TELINJECT_OUT_FORMAT, TRACEPARENT, OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_*) again, warning once on stderr about each bad
// value. The program's start does the same with $TELINJECT_OUT, and exports with no file when
// only OTEL_TRACES_EXPORTER is set.
func Configure(path string) error { return start(path, path != "" && exporterListed()) }

// start records to the file at path (none when empty) and exports when export is true.
func start(path string, export bool) error {
	atomic.StoreInt32(&on, 0)
	flushAtExit()
	if old, _ := current.Load().(*settings); old != nil && old.target != nil {
		old.target.stop()
	}
	writeMu.Lock()
	defer writeMu.Unlock()
	mu.Lock()
	defer mu.Unlock()
	if out != nil {
		out.Close()
		out = nil
	}
	functions.Range(func(key, _ interface{}) bool { functions.Delete(key); return true })
	for i := range recent {
		atomic.StorePointer(&recent[i], nil)
	}
	blocks = map[uintptr]blockEntry{}
	goroutines = map[uint64]*callStack{}
	pending = nil
	written, spansWritten, resourceDone, capWarned, summaryDone = 0, 0, false, false, false
	totalDropped = [reasonCount]uint64{}
	current.Store(&settings{})
	if path == "" && !export {
		return nil
	}
	cfg := readSettings()
	if export {
		cfg.target = newExporter()
	}
	if path != "" {
		file, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0644)
		if err != nil {
			return err
		}
		out, outName = file, path
	} else if cfg.target == nil {
		return nil
	}
	current.Store(&cfg)
	atomic.StoreInt32(&on, 1)
	return nil
}

// Enabled reports whether spans are recorded.
func Enabled() bool { return atomic.LoadInt32(&on) == 1 }

// Flush writes the buffered records and the dropped lines now.
func Flush() { flush(droppedAlways) }

func noop() {}

// Span starts the span of one call of the function name; the returned function ends it and must
// be deferred by that function itself (it recovers and re-raises panics to record them). Safe
// for concurrent use.
func Span(name string) func() {
	if atomic.LoadInt32(&on) == 0 {
		return noop
	}
	return begin(name)
}

func begin(name string) func() {
	f := lookupFunction(name)
	cfg := current.Load().(*settings)
	// One monotonic clock read per call (time.Now reads two clocks); the wall time of the start
	// is the process's start plus it.
	now := int64(time.Since(started))
	if cfg.sampleAll && !f.admit(now, cfg) {
		f.drop(reasonRateLimit)
		return noop // not made current: its callees take its caller as parent
	}
	sp := stackPointer()
	g := getg()
	if g != nil {
		goidOnce.Do(findGoidOffset)
	}
	mu.Lock()
	var stack *callStack
	if g != nil {
		key := uint64(uintptr(g))
		if stack = goroutines[key]; stack == nil {
			stack = &callStack{key: key, goid: goidOf(g)}
			goroutines[key] = stack
		}
	} else if stack = stackAt(sp); stack == nil {
		mu.Unlock()
		goid := goroutineID() // microseconds: not under the lock
		mu.Lock()
		stack = stackOf(goid, sp)
	}
	s := reusedSpan()
	if s == nil {
		s = newSpan()
	}
	*s = span{fn: f, stack: stack, sp: sp, start: now, end: s.end}
	if n := len(stack.open); n > 0 {
		parent := stack.open[n-1]
		s.trace, s.parent, s.sampled = parent.trace, parent.id, parent.sampled
	} else {
		s.root = true
		if cfg.remote {
			s.trace, s.parent, s.sampled = cfg.remoteTrace, cfg.remoteSpan, cfg.remoteOn
		} else {
			s.trace = [2]uint64{nextRandom(), nextRandom()}
			s.sampled = cfg.sampleAll || s.trace[1]>>1 < cfg.sampleBound
		}
	}
	if s.sampled && !cfg.sampleAll && !f.admit(now, cfg) {
		*s = span{end: s.end}
		freeSpans = append(freeSpans, s)
		mu.Unlock()
		f.drop(reasonRateLimit)
		return noop
	}
	s.id = nextRandom()
	stack.open = append(stack.open, s)
	mu.Unlock()
	if !s.sampled {
		f.drop(reasonSampling)
	}
	return s.end
}

// newSpan allocates a span with its deferred function (mu held).
func newSpan() *span {
	s := new(span)
	// The deferred function (recover must be called by it directly). It ends the span "ok" on a
	// return. A panic is recovered and raised again, with the same value, by the innermost
	// instrumented function it passes through only: the functions further out see it raised by
	// this function and take its value from their goroutine's call stack, without recovering it.
	// (Each recover-and-raise runs the rest of the panic inside the deferred call, on top of the
	// stack: in every function of a deep recursion it would make a panic cost the square of the
	// depth.)
	s.end = func() {
		if s.returned() {
			s.finish(nil, false)
			return
		}
		switch panicOrigin(3) {
		case noPanic: // runtime.Goexit
			s.finish(nil, false)
		case raisedHere:
			s.finish(s.stack.raised, true)
		default:
			r := recover()
			// r is nil after panic(nil) before Go 1.21: the panic is stopped all the same.
			s.stack.raised = r
			s.finish(r, true)
			panic(r)
		}
	}
	return s
}

// reusedSpan takes a span that ended from the free list, or nil (mu held).
func reusedSpan() *span {
	n := len(freeSpans)
	if n == 0 {
		return nil
	}
	s := freeSpans[n-1]
	freeSpans = freeSpans[:n-1]
	return s
}

// freeSpans are spans whose deferred function ran (mu held): reused rather than allocated with
// their function, a closure, again.
var freeSpans []*span

// recent caches functions by where their name's bytes are (the literal of one call site), to
// spare hashing the name on every call.
var recent [256]unsafe.Pointer // *recentFunction, atomic

type recentFunction struct {
	data uintptr
	fn   *function
}

func lookupFunction(name string) *function {
	data := (*reflect.StringHeader)(unsafe.Pointer(&name)).Data
	slot := &recent[(data>>4)&255]
	if hit := (*recentFunction)(atomic.LoadPointer(slot)); hit != nil && hit.data == data &&
		hit.fn.name == name {
		return hit.fn
	}
	f := findFunction(name)
	atomic.StorePointer(slot, unsafe.Pointer(&recentFunction{data, f}))
	return f
}

func findFunction(name string) *function {
	if known, ok := functions.Load(name); ok {
		return known.(*function)
	}
	f := &function{name: name}
	// 0 findFunction, 1 lookupFunction, 2 begin, 3 Span (maybe inlined), 4 the instrumented
	// function.
	if pc, _, _, ok := runtime.Caller(4); ok {
		if fn := runtime.FuncForPC(pc); fn != nil {
			f.file, f.line = fn.FileLine(fn.Entry())
		}
	}
	f.prefix = appendString(append(f.prefix, `{"name": `...), f.name)
	f.prefix = appendString(append(f.prefix, `, "code.function.name": `...), f.name)
	f.prefix = appendString(append(f.prefix, `, "code.file.path": `...), f.file)
	f.prefix = strconv.AppendInt(append(f.prefix, `, "code.line.number": `...), int64(f.line), 10)
	f.prefix = append(f.prefix, `, "trace_id": "`...)
	known, _ := functions.LoadOrStore(name, f)
	return known.(*function)
}

// admit applies the rate limit: the first N calls, then a token bucket of R per second holding
// at most one second's worth.
func (f *function) admit(now int64, cfg *settings) bool {
	if !cfg.limited || atomic.AddUint64(&f.calls, 1) <= cfg.firstCalls {
		return true
	}
	if cfg.perSecond <= 0 {
		return false
	}
	interval := int64(float64(time.Second) / cfg.perSecond)
	burst := int64(time.Second) - interval
	for {
		due := atomic.LoadInt64(&f.due)
		if now < due-burst {
			return false
		}
		next := due
		if next < now {
			next = now
		}
		if atomic.CompareAndSwapInt64(&f.due, due, next+interval) {
			return true
		}
	}
}

func (f *function) drop(reason int) { atomic.AddUint64(&f.dropped[reason], 1) }

//go:noinline
func stackPointer() uintptr {
	var here byte
	return uintptr(unsafe.Pointer(&here))
}

// stackAt is the call stack of the goroutine running at sp when its block says so (mu held).
func stackAt(sp uintptr) *callStack {
	entry, ok := blocks[sp>>stackBlockLog]
	if !ok || entry.epoch != entry.stack.epoch {
		return nil
	}
	stack := entry.stack
	if n := len(stack.open); n > 0 {
		// An ancestor runs above: anything else is a stale entry of a stack that moved.
		if top := stack.open[n-1].sp; top <= sp || top-sp > farParent {
			return nil
		}
	}
	return stack
}

// stackOf is goroutine goid's call stack, which now owns the block of sp (mu held).
func stackOf(goid uint64, sp uintptr) *callStack {
	stack := goroutines[goid]
	if stack == nil {
		stack = &callStack{key: goid, goid: goid}
		goroutines[goid] = stack
	} else if n := len(stack.open); n > 0 {
		if top := stack.open[n-1]; top.sp <= sp || top.sp-sp > farParent {
			// The stack moved: forget its blocks, and anchor its spans above this call.
			stack.epoch++
			for _, s := range stack.open {
				s.sp = sp + 1
			}
		}
	}
	blocks[sp>>stackBlockLog] = blockEntry{stack, stack.epoch}
	if len(blocks) > blocksSwept {
		// Stacks come and go at new addresses: forget the blocks of idle ones now and then.
		for block, entry := range blocks {
			if entry.epoch != entry.stack.epoch {
				delete(blocks, block)
			}
		}
		blocksSwept = 2*len(blocks) + 4096
	}
	return stack
}

// blocksSwept is the size of blocks past which stackOf forgets stale entries (mu held).
var blocksSwept = 4096

func nextRandom() uint64 {
	for {
		// xorshift64*: ids need to be unique and spread, not unpredictable.
		random ^= random >> 12
		random ^= random << 25
		random ^= random >> 27
		if v := random * 2685821657736338717; v != 0 {
			return v
		}
	}
}

// returned reports whether the span's deferred function runs because its function returned
// (not a panic nor runtime.Goexit). Cheap when the deferred function runs as far below Span's
// stack pointer as last time: that distance is constant for one function's returns.
func (s *span) returned() bool {
	delta := int64(stackPointer() - s.sp)
	if delta != 0 && delta == atomic.LoadInt64(&s.fn.returnDelta) {
		return true
	}
	if panicOrigin(4) != returning {
		return false
	}
	atomic.StoreInt64(&s.fn.returnDelta, delta)
	return true
}

// What runs a deferred function, as panicOrigin tells from the stack.
const (
	returning     = iota // its function returned
	noPanic              // runtime.Goexit
	raisedHere           // a panic raised again by this package's end
	raisedOutside        // a panic raised by the program (or the runtime)
)

// raiser is the prefix of the name of the spans' deferred function, which raises panics again
// ("example.com/m/telinject.newSpan.func1").
var raiser = reflect.TypeOf(span{}).PkgPath() + ".newSpan.func"

// panicOrigin tells what calls the deferred function whose caller is `skip` frames up (as
// runtime.Callers counts): a return calls it from its function itself (even while a panic
// further up the stack runs deferred calls); a panic from the runtime's panic machinery, and the
// frame below runtime.gopanic (past the runtime's own, such as sigpanic) raised it.
func panicOrigin(skip int) int {
	var pcs [16]uintptr
	// The common case, a return: the caller is the instrumented function, whose call site
	// never changes (one frame is cheap to walk; sixteen are not).
	if runtime.Callers(skip, pcs[:1]) == 0 {
		return returning
	}
	if _, ok := notPanicking.Load(pcs[0]); ok {
		return returning
	}
	n := runtime.Callers(skip, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	inPanic := false
	for first := true; ; first = false {
		frame, more := frames.Next()
		runtimeFrame := strings.HasPrefix(frame.Function, "runtime.")
		switch {
		case inPanic && !runtimeFrame && strings.HasPrefix(frame.Function, raiser):
			return raisedHere
		case inPanic && !runtimeFrame:
			return raisedOutside
		case !runtimeFrame && first:
			notPanicking.Store(pcs[0], true)
			return returning
		case !runtimeFrame:
			return noPanic
		case frame.Function == "runtime.gopanic":
			inPanic = true
		}
		if !more {
			if inPanic {
				return raisedOutside
			}
			return noPanic
		}
	}
}

// Return addresses in instrumented functions (not the runtime's): deferred calls made there
// are returns, never panics.
var notPanicking sync.Map

// goidOffset is where the runtime keeps a goroutine's id in the structure getg returns; 0 when
// findGoidOffset found none (then goidOf asks runtime.Stack).
var (
	goidOffset uintptr
	goidOnce   sync.Once
)

const goidSearched = 48 // words of the goroutine's structure searched (its size is larger)

// findGoidOffset compares the structures of three new goroutines with the ids runtime.Stack
// prints for them: the offset where each holds its own id, when exactly one does.
func findGoidOffset() {
	found := make(chan uint64)
	for i := 0; i < 3; i++ {
		go func() {
			g, id := getg(), goroutineID()
			var matches uint64 // bit i: word i holds the id
			for i := uintptr(0); g != nil && id > 0 && i < goidSearched; i++ {
				if *(*uint64)(unsafe.Pointer(uintptr(g) + i*8)) == id {
					matches |= 1 << i
				}
			}
			found <- matches
		}()
	}
	common := ^uint64(0)
	for i := 0; i < 3; i++ {
		common &= <-found
	}
	if common != 0 && common&(common-1) == 0 { // exactly one word
		for i := uintptr(0); i < goidSearched; i++ {
			if common == 1<<i {
				goidOffset = i * 8
			}
		}
	}
}

// goidOf is the id of the goroutine whose structure is g (the running one).
func goidOf(g unsafe.Pointer) uint64 {
	if goidOffset != 0 {
		return *(*uint64)(unsafe.Pointer(uintptr(g) + goidOffset))
	}
	return goroutineID()
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
	duration := int64(time.Since(started)) - s.start
	var excType, excMsg string
	if failed {
		excType, excMsg = describe(panicValue)
	}
	mu.Lock()
	stack := s.stack
	for i := len(stack.open) - 1; i >= 0; i-- {
		if stack.open[i] == s {
			stack.open = append(stack.open[:i], stack.open[i+1:]...)
			break
		}
	}
	if len(stack.open) == 0 {
		// Idle: its blocks may go to another goroutine's stack from now on.
		stack.epoch++
		stack.open = nil
		if goroutines[stack.key] == stack {
			delete(goroutines, stack.key)
		}
	}
	buffered := 0
	if s.sampled {
		pending = append(pending, finished{s.fn, s.trace, s.id, s.parent, startedUnixNano + s.start,
			duration, stack.goid, failed, excType, excMsg})
		buffered = len(pending)
		if !writerOn {
			writerOn = true
			go writeInBackground()
		}
	}
	isMain, root := s.fn.name == "main.main", s.root
	if len(freeSpans) < maxFreeSpans {
		// Its deferred function reads nothing of it from here on.
		*s = span{end: s.end}
		freeSpans = append(freeSpans, s)
	}
	mu.Unlock()
	switch {
	case isMain:
		flushAtExit()
	case root && failed:
		flush(droppedAlways)
	case root:
		// The last ones may be followed by os.Exit at once: a `go test` binary ends so.
		flush(droppedIfDue)
	case buffered >= holdRecords:
		flush(droppedNever) // the writer falls behind: the caller pays
	case buffered >= flushRecords:
		select {
		case writerKick <- struct{}{}:
		default:
		}
	}
}

// describe is a panic value's type as %T prints it and its text as %v does.
func describe(v interface{}) (string, string) {
	if v == nil {
		return "nil", "panic(nil)"
	}
	return reflect.TypeOf(v).String(), fmt.Sprint(v)
}

// writeInBackground writes the buffer every flushEvery while records arrive, and returns when
// none came for a period: a program whose goroutines all block still dies of the deadlock.
func writeInBackground() {
	timer := time.NewTimer(flushEvery)
	defer timer.Stop()
	for idle := 0; idle < 2; {
		select {
		case <-timer.C:
			timer.Reset(flushEvery)
		case <-writerKick:
		}
		mu.Lock()
		waiting := len(pending)
		if waiting == 0 && idle == 1 {
			writerOn = false
			mu.Unlock()
			break
		}
		mu.Unlock()
		if waiting == 0 {
			idle++
		} else {
			idle = 0
		}
		flush(droppedIfDue)
	}
}

// When flush writes the dropped lines.
const (
	droppedNever  = iota
	droppedIfDue  // droppedEvery after the last ones
	droppedAlways // at exit and on request
)

// flush writes the buffered spans, and the dropped counts as `dropped` says.
func flush(dropped int) {
	mu.Lock()
	batch := pending
	pending, spare = spare, nil
	mu.Unlock()
	writeMu.Lock()
	defer writeMu.Unlock()
	defer func() {
		for i := range batch {
			batch[i] = finished{}
		}
		mu.Lock()
		spare = batch[:0]
		mu.Unlock()
	}()
	cfg, _ := current.Load().(*settings)
	if cfg == nil {
		return
	}
	if cfg.target != nil {
		cfg.target.queue(cfg, batch)
	}
	lines := out != nil && !cfg.otlpFile // resource and dropped lines
	block := formatted[:0]
	defer func() { formatted = block[:0] }()
	if lines && !resourceDone {
		block = append(block, cfg.line...)
	}
	header := len(block)
	size := written
	if out != nil && cfg.maxBytes > 0 && len(batch) > 0 {
		if info, err := out.Stat(); err == nil && info.Size() > size {
			size = info.Size()
		}
	}
	for first := 0; out != nil && first < len(batch); {
		// A span per line, or with TELINJECT_OUT_FORMAT=otlp a request of up to maxRequestSpans.
		end := first + 1
		before := len(block)
		if cfg.otlpFile {
			if end = first + maxRequestSpans; end > len(batch) {
				end = len(batch)
			}
			block = appendRequestJSON(block, cfg.resource, batch[first:end])
		} else {
			block = appendRecord(block, &batch[first])
		}
		if cfg.maxBytes > 0 && size+int64(len(block)) > cfg.maxBytes {
			block = block[:before]
			for i := first; i < end; i++ {
				batch[i].fn.drop(reasonSizeCap)
			}
			if !capWarned {
				capWarned = true
				fmt.Fprintf(os.Stderr, "telinject: %s reached TELINJECT_MAX_BYTES (%d bytes): "+
					"no more spans are written to it\n", outName, cfg.maxBytes)
			}
		} else {
			spansWritten += uint64(end - first)
		}
		first = end
	}
	if dropped == droppedAlways || dropped == droppedIfDue && time.Since(lastDropped) >= droppedEvery {
		lastDropped = time.Now()
		block = appendDropped(block, lines)
	}
	if out == nil || len(block) == header {
		return
	}
	resourceDone = true
	n, _ := out.Write(block) // telemetry never breaks the program: errors are dropped
	written += int64(n)
}

// appendDropped adds a dropped line per function and reason counted since the last ones (when
// lines is true: else it only counts them for the summary).
func appendDropped(b []byte, lines bool) []byte {
	functions.Range(func(_, value interface{}) bool {
		f := value.(*function)
		for reason := range f.dropped {
			n := atomic.SwapUint64(&f.dropped[reason], 0)
			if n == 0 {
				continue
			}
			totalDropped[reason] += n
			if !lines {
				continue
			}
			b = append(b, `{"dropped": `...)
			b = strconv.AppendUint(b, n, 10)
			b = append(b, `, "name": `...)
			b = appendString(b, f.name)
			b = append(b, `, "reason": "`...)
			b = append(b, reasonNames[reason]...)
			b = append(b, `", "process.pid": `...)
			b = strconv.AppendInt(b, int64(pid), 10)
			b = append(b, "}\n"...)
		}
		return true
	})
	return b
}

// totalDropped counts what dropped lines reported, for the summary (writeMu held).
var totalDropped [reasonCount]uint64

// flushAtExit writes everything, waits for the export (at most its timeout) and says once on
// stderr what was not recorded or not exported.
func flushAtExit() {
	flush(droppedAlways)
	cfg, _ := current.Load().(*settings)
	var exported, failed uint64
	if cfg != nil && cfg.target != nil {
		exported, failed = cfg.target.finish()
	}
	writeMu.Lock()
	defer writeMu.Unlock()
	if cfg == nil || out == nil && cfg.target == nil || summaryDone {
		return
	}
	summaryDone = true
	total := totalDropped[0] + totalDropped[1] + totalDropped[2]
	if total == 0 && failed == 0 {
		return
	}
	var where []string
	if out != nil {
		where = append(where, fmt.Sprintf("%d spans written to %s", spansWritten, outName))
	}
	if cfg.target != nil {
		where = append(where, fmt.Sprintf("%d spans exported to %s", exported, cfg.target.where()))
	}
	text := fmt.Sprintf("telinject: %s, %d not recorded (rate limit %d, sampling %d, size cap %d)",
		strings.Join(where, ", "), total, totalDropped[reasonRateLimit],
		totalDropped[reasonSampling], totalDropped[reasonSizeCap])
	if failed > 0 {
		text += fmt.Sprintf(", export failed %d", failed)
	}
	if total > 0 {
		text += "; TELINJECT_RATE_LIMIT=off TELINJECT_SAMPLE=1 TELINJECT_MAX_BYTES=off record every call"
	}
	fmt.Fprintln(os.Stderr, text)
}

func appendRecord(b []byte, r *finished) []byte {
	b = append(b, r.fn.prefix...)
	b = appendHex(b, r.trace[0])
	b = appendHex(b, r.trace[1])
	b = append(b, `", "span_id": "`...)
	b = appendHex(b, r.id)
	b = append(b, `", "parent_span_id": `...)
	if r.parent == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, '"')
		b = appendHex(b, r.parent)
		b = append(b, '"')
	}
	b = append(b, `, "start_time_unix_nano": `...)
	b = strconv.AppendInt(b, r.start, 10)
	b = append(b, `, "duration_ns": `...)
	b = strconv.AppendInt(b, r.duration, 10)
	if r.failed {
		b = append(b, `, "status": "error", "exception.type": `...)
		b = appendString(b, r.excType)
		b = append(b, `, "exception.message": `...)
		b = appendString(b, r.excMsg)
	} else {
		b = append(b, `, "status": "ok"`...)
	}
	b = append(b, `, "thread.id": `...)
	b = strconv.AppendUint(b, r.goid, 10)
	return append(b, pidSuffix...)
}

var pidSuffix = `, "process.pid": ` + strconv.Itoa(pid) + "}\n"

// readSettings reads the volume and resource variables; a bad value is ignored with a warning.
func readSettings() settings {
	cfg := settings{sampleAll: true, limited: true, firstCalls: 1000, perSecond: 10,
		maxBytes: 100 * 1000 * 1000}
	if text, ok := os.LookupEnv("TELINJECT_SAMPLE"); ok {
		ratio, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil || !(ratio >= 0 && ratio <= 1) {
			warn("TELINJECT_SAMPLE", text, "a ratio in [0, 1]")
		} else if ratio < 1 {
			cfg.sampleAll = false
			cfg.sampleBound = uint64(ratio * (1 << 63))
		}
	}
	if text, ok := os.LookupEnv("TELINJECT_RATE_LIMIT"); ok {
		if first, perSecond, valid := parseRateLimit(text); !valid {
			warn("TELINJECT_RATE_LIMIT", text, "N,R (first N calls, then R per second) or off")
		} else if first < 0 {
			cfg.limited = false
		} else {
			cfg.firstCalls, cfg.perSecond = uint64(first), perSecond
		}
	}
	if text, ok := os.LookupEnv("TELINJECT_MAX_BYTES"); ok {
		if limit, valid := parseBytes(text); valid {
			cfg.maxBytes = limit
		} else {
			warn("TELINJECT_MAX_BYTES", text, "a size such as 100M (k, M, G: powers of 1000) or off")
		}
	}
	if text, ok := os.LookupEnv("TRACEPARENT"); ok && text != "" {
		if parseTraceparent(text, &cfg) {
			cfg.remote = true
			if !cfg.remoteOn {
				cfg.sampleAll = false
			}
		} else {
			warn("TRACEPARENT", text, "00-<32 hex trace id>-<16 hex span id>-<2 hex flags>")
		}
	}
	if text, ok := os.LookupEnv("TELINJECT_OUT_FORMAT"); ok {
		switch strings.ToLower(strings.TrimSpace(text)) {
		case "otlp":
			cfg.otlpFile = true
		case "jsonl", "":
		default:
			warn("TELINJECT_OUT_FORMAT", text, "jsonl or otlp")
		}
	}
	cfg.resource = resourceAttributes()
	cfg.line = resourceLine(cfg.resource)
	return cfg
}

func warn(variable, value, want string) {
	fmt.Fprintf(os.Stderr, "telinject: ignoring %s=%q (want %s)\n", variable, value, want)
}

// parseRateLimit reads "N,R"; off gives first = -1.
func parseRateLimit(text string) (first int64, perSecond float64, valid bool) {
	text = strings.TrimSpace(text)
	if strings.EqualFold(text, "off") {
		return -1, 0, true
	}
	parts := strings.Split(text, ",")
	if len(parts) != 2 {
		return 0, 0, false
	}
	first, err := strconv.ParseInt(strings.TrimSpace(parts[0]), 10, 64)
	if err != nil || first < 0 {
		return 0, 0, false
	}
	perSecond, err = strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
	if err != nil || !(perSecond >= 0) || perSecond > 1e9 {
		return 0, 0, false
	}
	return first, perSecond, true
}

// parseBytes reads "100M", "10k", "1G", "12345"; off and 0 give 0 (no cap).
func parseBytes(text string) (int64, bool) {
	text = strings.TrimSpace(text)
	if strings.EqualFold(text, "off") {
		return 0, true
	}
	scale := int64(1)
	if n := len(text); n > 0 {
		switch text[n-1] {
		case 'k', 'K':
			scale = 1000
		case 'M':
			scale = 1000 * 1000
		case 'G':
			scale = 1000 * 1000 * 1000
		}
		if scale != 1 {
			text = text[:n-1]
		}
	}
	value, err := strconv.ParseFloat(text, 64)
	if err != nil || !(value >= 0) || value*float64(scale) > 1e18 {
		return 0, false
	}
	return int64(value * float64(scale)), true
}

// parseTraceparent reads a W3C traceparent header into cfg.
func parseTraceparent(text string, cfg *settings) bool {
	parts := strings.Split(strings.TrimSpace(text), "-")
	if len(parts) < 4 || len(parts[0]) != 2 || parts[0] == "ff" || len(parts[1]) != 32 ||
		len(parts[2]) != 16 || len(parts[3]) != 2 || (parts[0] == "00" && len(parts) != 4) {
		return false
	}
	var values [4]uint64
	for i, field := range []string{parts[1][:16], parts[1][16:], parts[2], parts[3]} {
		if strings.ToLower(field) != field {
			return false
		}
		v, err := strconv.ParseUint(field, 16, 64)
		if err != nil {
			return false
		}
		values[i] = v
	}
	if values[0] == 0 && values[1] == 0 || values[2] == 0 {
		return false
	}
	cfg.remoteTrace = [2]uint64{values[0], values[1]}
	cfg.remoteSpan = values[2]
	cfg.remoteOn = values[3]&1 == 1
	return true
}

// keyValue is an attribute: a string, or an integer when isInt.
type keyValue struct {
	key   string
	value string
	isInt bool
	int   int64
}

// resourceAttributes are the process's: OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES and ours.
func resourceAttributes() []keyValue {
	keys := []string{"service.name", "telemetry.sdk.name", "telemetry.sdk.language",
		"process.pid", "process.runtime.name", "process.runtime.version",
		"process.executable.name"}
	values := map[string]string{
		"service.name":            "unknown_service:go",
		"telemetry.sdk.name":      "telinject",
		"telemetry.sdk.language":  "go",
		"process.runtime.name":    "go",
		"process.runtime.version": runtime.Version(),
		"process.executable.name": filepath.Base(os.Args[0]),
	}
	if text := os.Getenv("OTEL_RESOURCE_ATTRIBUTES"); text != "" {
		for _, pair := range strings.Split(text, ",") {
			equals := strings.IndexByte(pair, '=')
			if equals <= 0 {
				warn("OTEL_RESOURCE_ATTRIBUTES", text, "key=value,key=value")
				break
			}
			key := strings.TrimSpace(pair[:equals])
			value, ok := percentDecode(strings.TrimSpace(pair[equals+1:]))
			if key == "" || !ok {
				warn("OTEL_RESOURCE_ATTRIBUTES", text, "key=value,key=value")
				break
			}
			if key == "process.pid" || key == "telemetry.sdk.name" || key == "telemetry.sdk.language" {
				continue
			}
			if _, known := values[key]; !known {
				keys = append(keys, key)
			}
			values[key] = value
		}
	}
	if name := os.Getenv("OTEL_SERVICE_NAME"); name != "" {
		values["service.name"] = name
	}
	attributes := make([]keyValue, len(keys))
	for i, key := range keys {
		attributes[i] = keyValue{key: key, value: values[key]}
		if key == "process.pid" {
			attributes[i] = keyValue{key: key, isInt: true, int: int64(pid)}
		}
	}
	return attributes
}

// resourceLine is the resource record of the JSON Lines file.
func resourceLine(attributes []keyValue) []byte {
	b := []byte(`{"resource": {`)
	for i, a := range attributes {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendString(b, a.key)
		b = append(b, ": "...)
		if a.isInt {
			b = strconv.AppendInt(b, a.int, 10)
		} else {
			b = appendString(b, a.value)
		}
	}
	return append(b, "}}\n"...)
}

func percentDecode(text string) (string, bool) {
	if strings.IndexByte(text, '%') < 0 {
		return text, true
	}
	var b []byte
	for i := 0; i < len(text); i++ {
		if text[i] != '%' {
			b = append(b, text[i])
			continue
		}
		if i+2 >= len(text) {
			return "", false
		}
		v, err := strconv.ParseUint(text[i+1:i+3], 16, 8)
		if err != nil {
			return "", false
		}
		b = append(b, byte(v))
		i += 2
	}
	return string(b), true
}

// appendHex appends v as 16 lower-case hex digits, eight at a time: each half's nibbles are
// spread to one byte each, then turned into digits together ('0' + n, plus 39 from 10 on to
// reach 'a').
func appendHex(b []byte, v uint64) []byte {
	n := len(b)
	b = append(b, "0123456789abcdef"...) // room, written over in place
	binary.BigEndian.PutUint64(b[n:], hexDigits(v>>32))
	binary.BigEndian.PutUint64(b[n+8:], hexDigits(v&0xffffffff))
	return b
}

// hexDigits is the eight hex digits of the 32 bits of x, the first in the highest byte.
func hexDigits(x uint64) uint64 {
	x = (x | x<<16) & 0x0000ffff0000ffff
	x = (x | x<<8) & 0x00ff00ff00ff00ff
	x = (x | x<<4) & 0x0f0f0f0f0f0f0f0f
	letters := (x + 0x0606060606060606) >> 4 & 0x0101010101010101
	return x + 0x3030303030303030 + letters*39
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

// --- OTLP (docs/telemetry.md, "Export to OpenTelemetry (OTLP)") ---
//
// TELINJECT_OUT_FORMAT=otlp writes OTLP/JSON requests to the file. OTEL_TRACES_EXPORTER=otlp
// sends the spans to a collector over OTLP/HTTP, which needs package net: otlp_http.go, built
// only with -tags telinject_otlp. Linking net into every instrumented program would make a
// program that did not use it dynamically linked to libc when cgo is on (a static binary in a
// FROM scratch image would stop starting) and cost every program ~0.9 MB and ~1 ms at start,
// telemetry on or off (bench/README.md).

const (
	helperVersion   = "0.1.0" // the scope's version: telinject's
	maxRequestSpans = 512
)

// exporter sends spans to a collector; one export runs at a time.
type exporter interface {
	// queue hands a copy of batch to the exporter's own goroutine (writeMu held; never blocks
	// on the network).
	queue(cfg *settings, batch []finished)
	// finish waits until what was queued is sent, at most the export's timeout, and returns
	// the spans exported and not exported so far.
	finish() (exported, failed uint64)
	// stop forgets the export: a send still running stops without counting.
	stop()
	// where is the endpoint, for messages (without credentials).
	where() string
}

// openExporter reads the OTEL_EXPORTER_OTLP_* variables and returns the OTLP/HTTP exporter, or
// nil after a warning when they cannot be used. otlp_http.go sets it before init runs: it is nil
// in a build without -tags telinject_otlp.
var openExporter func() exporter

// noExporterWarned: the warning that this build cannot export was given (mu held).
var noExporterWarned bool

// newExporter is openExporter's exporter, or nil and a warning once when the helper was built
// without it (mu held).
func newExporter() exporter {
	if openExporter != nil {
		return openExporter()
	}
	if !noExporterWarned {
		noExporterWarned = true
		fmt.Fprintln(os.Stderr, "telinject: OTEL_TRACES_EXPORTER=otlp is ignored: this "+
			"program's telinject helper was built without OTLP/HTTP (it needs package net); "+
			"build it with `go build -tags telinject_otlp` to export spans")
	}
	return nil
}

// exporterListed reports whether OTEL_TRACES_EXPORTER lists otlp.
func exporterListed() bool {
	for _, name := range strings.Split(os.Getenv("OTEL_TRACES_EXPORTER"), ",") {
		if strings.EqualFold(strings.TrimSpace(name), "otlp") {
			return true
		}
	}
	return false
}

// appendRequestJSON appends one ExportTraceServiceRequest in OTLP/JSON, and a newline.
func appendRequestJSON(b []byte, resource []keyValue, batch []finished) []byte {
	b = append(b, `{"resourceSpans":[{"resource":{"attributes":[`...)
	for i := range resource {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendAttributeJSON(b, &resource[i])
	}
	b = append(b, `]},"scopeSpans":[{"scope":{"name":"telinject","version":"`+helperVersion+
		`"},"spans":[`...)
	for i := range batch {
		if i > 0 {
			b = append(b, ',')
		}
		r := &batch[i]
		b = append(b, `{"traceId":"`...)
		b = appendHex(appendHex(b, r.trace[0]), r.trace[1])
		b = append(b, `","spanId":"`...)
		b = appendHex(b, r.id)
		if r.parent != 0 {
			b = append(b, `","parentSpanId":"`...)
			b = appendHex(b, r.parent)
		}
		b = append(b, `","name":`...)
		b = appendString(b, r.fn.name)
		b = append(b, `,"kind":1,"startTimeUnixNano":"`...)
		b = strconv.AppendInt(b, r.start, 10)
		b = append(b, `","endTimeUnixNano":"`...)
		b = strconv.AppendInt(b, r.start+r.duration, 10)
		b = append(b, `","attributes":[`...)
		for j, a := range spanAttributes(r) {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendAttributeJSON(b, &a)
		}
		b = append(b, ']')
		if r.failed {
			b = append(b, `,"events":[{"timeUnixNano":"`...)
			b = strconv.AppendInt(b, r.start+r.duration, 10)
			b = append(b, `","name":"exception","attributes":[`...)
			for j, a := range exceptionAttributes(r) {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendAttributeJSON(b, &a)
			}
			b = append(b, `]}],"status":{"code":2,"message":`...)
			b = appendString(b, r.excMsg)
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	return append(b, "]}]}]}\n"...)
}

func appendAttributeJSON(b []byte, a *keyValue) []byte {
	b = append(b, `{"key":`...)
	b = appendString(b, a.key)
	if a.isInt {
		b = append(b, `,"value":{"intValue":"`...)
		b = strconv.AppendInt(b, a.int, 10)
		return append(b, `"}}`...)
	}
	b = append(b, `,"value":{"stringValue":`...)
	b = appendString(b, a.value)
	return append(b, "}}"...)
}

// spanAttributes are an OTLP span's attributes.
func spanAttributes(r *finished) [4]keyValue {
	return [4]keyValue{{key: "code.function.name", value: r.fn.name},
		{key: "code.file.path", value: r.fn.file},
		{key: "code.line.number", isInt: true, int: int64(r.fn.line)},
		{key: "thread.id", isInt: true, int: int64(r.goid)}}
}

func exceptionAttributes(r *finished) [2]keyValue {
	return [2]keyValue{{key: "exception.type", value: r.excType},
		{key: "exception.message", value: r.excMsg}}
}
