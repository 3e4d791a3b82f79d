package telinject

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// output is what one recording wrote, by kind of line.
type output struct {
	spans    []map[string]interface{}
	resource []map[string]interface{}
	dropped  []map[string]interface{}
	stderr   string
}

// recordWith sets the environment variables env, configures a fresh output file, runs body, turns
// recording off (which writes everything) and returns the lines written and what went to stderr.
func recordWith(t *testing.T, env map[string]string, body func()) output {
	t.Helper()
	for key, value := range env {
		old, had := os.LookupEnv(key)
		os.Setenv(key, value)
		defer func(key, old string, had bool) {
			if had {
				os.Setenv(key, old)
			} else {
				os.Unsetenv(key)
			}
		}(key, old, had)
	}
	stderr, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = stderr
	defer func() { os.Stderr = saved }()
	path := filepath.Join(t.TempDir(), "spans.jsonl")
	if err := Configure(path); err != nil {
		t.Fatal(err)
	}
	body()
	if err := Configure(""); err != nil {
		t.Fatal(err)
	}
	os.Stderr = saved
	written, _ := os.ReadFile(stderr.Name())
	result := readOutput(t, path)
	result.stderr = string(written)
	return result
}

func readOutput(t *testing.T, path string) output {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var result output
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if line == "" {
			continue
		}
		var r map[string]interface{}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("not JSON: %q: %v", line, err)
		}
		switch {
		case r["resource"] != nil:
			result.resource = append(result.resource, r["resource"].(map[string]interface{}))
		case r["dropped"] != nil:
			result.dropped = append(result.dropped, r)
		default:
			result.spans = append(result.spans, r)
		}
	}
	return result
}

// everything records every call.
var everything = map[string]string{"TELINJECT_RATE_LIMIT": "off", "TELINJECT_SAMPLE": "1",
	"TELINJECT_MAX_BYTES": "off"}

// record runs body recording every call and returns the spans.
func record(t *testing.T, body func()) []map[string]interface{} {
	t.Helper()
	return recordWith(t, everything, body).spans
}

func byName(records []map[string]interface{}, name string) map[string]interface{} {
	for _, r := range records {
		if r["name"] == name {
			return r
		}
	}
	return nil
}

func declared(fn interface{}) (string, int) {
	f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer())
	return f.FileLine(f.Entry())
}

func outer() int {
	defer Span("telinject.outer")()
	return inner() + 1
}

func inner() int {
	defer Span("telinject.inner")()
	return 1
}

func TestRecordsNestAndCarryTheFields(t *testing.T) {
	records := record(t, func() {
		if outer() != 2 {
			t.Fatal("wrong result")
		}
	})
	if len(records) != 2 {
		t.Fatalf("want 2 records, got %v", records)
	}
	o, i := byName(records, "telinject.outer"), byName(records, "telinject.inner")
	if o == nil || i == nil {
		t.Fatalf("missing records: %v", records)
	}
	for _, field := range []string{"name", "code.function.name", "code.file.path", "code.line.number",
		"trace_id", "span_id", "parent_span_id", "start_time_unix_nano", "duration_ns", "status",
		"thread.id", "process.pid"} {
		if _, ok := o[field]; !ok {
			t.Errorf("field %s missing in %v", field, o)
		}
	}
	if o["parent_span_id"] != nil || i["parent_span_id"] != o["span_id"] || i["trace_id"] != o["trace_id"] {
		t.Errorf("inner is not outer's child: %v %v", o, i)
	}
	if len(o["trace_id"].(string)) != 32 || len(o["span_id"].(string)) != 16 {
		t.Errorf("id sizes: %v", o)
	}
	file, line := declared(outer)
	if o["code.file.path"] != file || int(o["code.line.number"].(float64)) != line {
		t.Errorf("location %v:%v, want %s:%d", o["code.file.path"], o["code.line.number"], file, line)
	}
	if o["status"] != "ok" || int(o["process.pid"].(float64)) != os.Getpid() {
		t.Errorf("status or pid: %v", o)
	}
}

var errBoom = errors.New("boom")

var panicLine int

func panics() {
	defer Span("telinject.panics")()
	_, _, line, _ := runtime.Caller(0)
	panicLine = line + 2
	panic(errBoom)
}

func TestPanicsAreRecordedAndRaisedAgain(t *testing.T) {
	var got interface{}
	var stack string
	records := record(t, func() {
		func() {
			defer func() {
				got = recover()
				stack = string(debug.Stack())
			}()
			panics()
		}()
	})
	if got != errBoom {
		t.Fatalf("recovered %v, want the original value", got)
	}
	r := byName(records, "telinject.panics")
	if r == nil || r["status"] != "error" || r["exception.type"] != "*errors.errorString" ||
		r["exception.message"] != "boom" {
		t.Fatalf("record: %v", records)
	}
	// The stack still holds the frame where the panic started, at its line.
	if !strings.Contains(stack, "telinject_test.go:"+strconv.Itoa(panicLine)) {
		t.Errorf("stack lost the panic site (line %d):\n%s", panicLine, stack)
	}
}

func panicsNil() {
	defer Span("telinject.panicsNil")()
	panic(nil)
}

func TestPanicNilStillPanics(t *testing.T) {
	reached := false
	records := record(t, func() {
		func() {
			defer func() { recover() }()
			panicsNil()
			reached = true
		}()
	})
	if reached {
		t.Fatal("panic(nil) was swallowed")
	}
	if r := byName(records, "telinject.panicsNil"); r == nil || r["status"] != "error" {
		t.Fatalf("record: %v", records)
	}
}

func TestRecoveredInsideIsOk(t *testing.T) {
	records := record(t, func() {
		func() {
			defer Span("telinject.recovers")()
			defer func() { recover() }()
			panic("inside")
		}()
	})
	if r := byName(records, "telinject.recovers"); r == nil || r["status"] != "ok" {
		t.Fatalf("record: %v", records)
	}
}

func TestGoroutinesStartTheirOwnTraces(t *testing.T) {
	const workers, calls = 20, 50
	records := record(t, func() {
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for c := 0; c < calls; c++ {
					outer()
				}
			}()
		}
		wg.Wait()
	})
	if len(records) != workers*calls*2 {
		t.Fatalf("want %d records, got %d", workers*calls*2, len(records))
	}
	spans := map[string]map[string]interface{}{}
	for _, r := range records {
		spans[r["span_id"].(string)] = r
	}
	for _, r := range records {
		if r["name"] != "telinject.inner" {
			if r["parent_span_id"] != nil {
				t.Fatalf("outer has a parent: %v\nparent: %v", r, spans[r["parent_span_id"].(string)])
			}
			continue
		}
		parent := spans[r["parent_span_id"].(string)]
		if parent == nil || parent["thread.id"] != r["thread.id"] || parent["trace_id"] != r["trace_id"] {
			t.Fatalf("inner's parent is not its goroutine's outer: %v %v", r, parent)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(goroutines) != 0 {
		t.Errorf("goroutines with open spans left: %v", goroutines)
	}
}

func TestDisabledRecordsNothing(t *testing.T) {
	if err := Configure(""); err != nil {
		t.Fatal(err)
	}
	if Enabled() {
		t.Fatal("enabled without a path")
	}
	end := Span("telinject.off")
	if reflect.ValueOf(end).Pointer() != reflect.ValueOf(noop).Pointer() {
		t.Error("disabled Span must return the shared no-op")
	}
	end()
}

func TestNamesAreEscaped(t *testing.T) {
	records := record(t, func() {
		func() { defer Span("a\"b\\c\n\xff")() }()
	})
	if len(records) != 1 || records[0]["name"] != "a\"b\\c\n\ufffd" {
		t.Fatalf("records: %v", records)
	}
}

func helper() int {
	defer Span("telinject.helper")()
	return 7
}

func TestCallsInsideDeferredCallsOfAPanicReturnNormally(t *testing.T) {
	var got interface{}
	var inDefer int
	records := record(t, func() {
		func() {
			defer func() { got = recover() }()
			func() {
				defer func() { inDefer = helper() }()
				panic("outer")
			}()
		}()
	})
	if got != "outer" || inDefer != 7 {
		t.Fatalf("got %v, helper returned %d", got, inDefer)
	}
	if r := byName(records, "telinject.helper"); r == nil || r["status"] != "ok" {
		t.Fatalf("record: %v", records)
	}
}

func exits() {
	defer Span("telinject.exits")()
	runtime.Goexit()
}

func TestGoexitIsNotAPanic(t *testing.T) {
	done := make(chan bool)
	records := record(t, func() {
		go func() {
			defer close(done)
			exits()
		}()
		<-done
	})
	if r := byName(records, "telinject.exits"); r == nil || r["status"] != "ok" {
		t.Fatalf("record: %v", records)
	}
}

func TestHexDigits(t *testing.T) {
	values := []uint64{0, 1, 9, 10, 15, 16, 0xffffffffffffffff, 0x0123456789abcdef, 0xfedcba9876543210}
	for i := uint64(0); i < 256; i++ {
		values = append(values, i*0x0101010101010101, i<<56|i, ^i)
	}
	for v, i := uint64(0x9e3779b97f4a7c15), 0; i < 100000; i++ {
		v ^= v << 13
		v ^= v >> 7
		v ^= v << 17
		values = append(values, v)
	}
	for _, v := range values {
		want := strconv.FormatUint(v, 16)
		want = "x" + strings.Repeat("0", 16-len(want)) + want
		if got := string(appendHex([]byte("x"), v)); got != want {
			t.Fatalf("%x: %s, want %s", v, got, want)
		}
	}
}

// idAndOuter records the goroutine's id as runtime.Stack prints it, then calls outer.
func idAndOuter(ids chan<- uint64) {
	ids <- goroutineID()
	outer()
}

func TestThreadIDIsTheGoroutinesID(t *testing.T) {
	const workers = 8
	ids := make(chan uint64, workers)
	records := record(t, func() {
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				idAndOuter(ids)
			}()
		}
		wg.Wait()
	})
	close(ids)
	want := map[float64]bool{}
	for id := range ids {
		want[float64(id)] = true
	}
	got := map[float64]bool{}
	for _, r := range records {
		got[r["thread.id"].(float64)] = true
	}
	if len(got) != workers || len(want) != workers {
		t.Fatalf("thread ids %v, goroutine ids %v", got, want)
	}
	for id := range got {
		if !want[id] {
			t.Fatalf("thread ids %v, goroutine ids %v", got, want)
		}
	}
	// amd64 and arm64 read the id from the goroutine's structure, not from runtime.Stack.
	if (runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64") && runtime.Compiler == "gc" &&
		(getg() == nil || goidOffset == 0) {
		t.Fatalf("%s: getg %v, id offset %d: every root span pays for runtime.Stack",
			runtime.GOARCH, getg(), goidOffset)
	}
}
