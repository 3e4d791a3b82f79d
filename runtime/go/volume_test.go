package telinject

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func withLimits(extra map[string]string) map[string]string {
	env := map[string]string{}
	for key, value := range everything {
		env[key] = value
	}
	for key, value := range extra {
		env[key] = value
	}
	return env
}

// droppedCount sums the dropped lines for name and reason.
func droppedCount(lines []map[string]interface{}, name, reason string) int {
	total := 0
	for _, line := range lines {
		if line["name"] == name && line["reason"] == reason {
			total += int(line["dropped"].(float64))
		}
	}
	return total
}

func TestSamplingKeepsWholeTraces(t *testing.T) {
	const calls = 2000
	got := recordWith(t, withLimits(map[string]string{"TELINJECT_SAMPLE": "0.25"}), func() {
		for i := 0; i < calls; i++ {
			outer()
		}
	})
	traces := map[string]int{}
	for _, span := range got.spans {
		traces[span["trace_id"].(string)]++
	}
	for trace, n := range traces {
		if n != 2 {
			t.Fatalf("trace %s has %d spans: recorded in part", trace, n)
		}
	}
	if len(traces) < calls/8 || len(traces) > calls/2 {
		t.Errorf("%d of %d traces kept at ratio 0.25", len(traces), calls)
	}
	kept := len(traces)
	if droppedCount(got.dropped, "telinject.outer", "sampling") != calls-kept ||
		droppedCount(got.dropped, "telinject.inner", "sampling") != calls-kept {
		t.Errorf("dropped lines %v, want %d each", got.dropped, calls-kept)
	}
	if !strings.Contains(got.stderr, fmt.Sprintf("sampling %d,", 2*(calls-kept))) {
		t.Errorf("stderr: %q", got.stderr)
	}
}

func TestSampleZeroRecordsNothing(t *testing.T) {
	got := recordWith(t, withLimits(map[string]string{"TELINJECT_SAMPLE": "0"}), func() {
		for i := 0; i < 10; i++ {
			outer()
		}
	})
	if len(got.spans) != 0 || droppedCount(got.dropped, "telinject.inner", "sampling") != 10 {
		t.Fatalf("spans %v, dropped %v", got.spans, got.dropped)
	}
}

func limitedLeaf(name string) {
	defer Span(name)()
}

func limitedMiddle(i int) {
	defer Span("telinject.limitedMiddle")()
	limitedLeaf(fmt.Sprintf("telinject.leaf%d", i))
}

func limitedTop() {
	defer Span("telinject.limitedTop")()
	for i := 0; i < 5; i++ {
		limitedMiddle(i)
	}
}

func TestRateLimitCountsExactlyAndKeepsTheTreeConnected(t *testing.T) {
	got := recordWith(t, withLimits(map[string]string{"TELINJECT_RATE_LIMIT": "2,0"}), func() {
		limitedTop()
		for i := 0; i < 10; i++ {
			inner()
		}
	})
	if n := droppedCount(got.dropped, "telinject.inner", "rate_limit"); n != 8 {
		t.Errorf("inner: %d dropped, want 8: %v", n, got.dropped)
	}
	if n := droppedCount(got.dropped, "telinject.limitedMiddle", "rate_limit"); n != 3 {
		t.Errorf("middle: %d dropped, want 3: %v", n, got.dropped)
	}
	top := byName(got.spans, "telinject.limitedTop")
	for i := 0; i < 5; i++ {
		leaf := byName(got.spans, fmt.Sprintf("telinject.leaf%d", i))
		if leaf == nil {
			t.Fatalf("leaf%d missing: %v", i, got.spans)
		}
		parent := leaf["parent_span_id"]
		if i >= 2 && parent != top["span_id"] {
			t.Errorf("leaf%d under a dropped call: parent %v, want the top %v", i, parent, top["span_id"])
		}
		if i < 2 && parent == top["span_id"] {
			t.Errorf("leaf%d skipped its recorded parent", i)
		}
		if leaf["trace_id"] != top["trace_id"] {
			t.Errorf("leaf%d left the trace", i)
		}
	}
	if !strings.Contains(got.stderr, "not recorded (rate limit 11, sampling 0, size cap 0)") {
		t.Errorf("stderr: %q", got.stderr)
	}
}

func TestRateLimitTokenBucket(t *testing.T) {
	// 5 per second after the first 3: a burst of 100 calls records 3 + 5.
	got := recordWith(t, withLimits(map[string]string{"TELINJECT_RATE_LIMIT": "3,5"}), func() {
		for i := 0; i < 100; i++ {
			inner()
		}
	})
	if len(got.spans) != 8 || droppedCount(got.dropped, "telinject.inner", "rate_limit") != 92 {
		t.Fatalf("%d spans, dropped %v", len(got.spans), got.dropped)
	}
}

func TestDefaultsLimitHotFunctions(t *testing.T) {
	got := recordWithout(t, func() {
		for i := 0; i < 3000; i++ {
			inner()
		}
	})
	if n := len(got.spans); n < 1000 || n > 1030 {
		t.Errorf("%d spans recorded by default, want the first 1000 and 10/s", n)
	}
	if droppedCount(got.dropped, "telinject.inner", "rate_limit")+len(got.spans) != 3000 {
		t.Errorf("dropped %v", got.dropped)
	}
}

// recordWithout records with the volume variables unset (the defaults).
func recordWithout(t *testing.T, body func()) output {
	env := map[string]string{}
	for key := range everything {
		if value, ok := os.LookupEnv(key); ok {
			env[key] = value
		}
	}
	for key := range everything {
		os.Unsetenv(key)
	}
	defer func() {
		for key, value := range env {
			os.Setenv(key, value)
		}
	}()
	return recordWith(t, nil, body)
}

func TestSizeCapHoldsAndWarnsOnce(t *testing.T) {
	got := recordWith(t, withLimits(map[string]string{"TELINJECT_MAX_BYTES": "3k"}), func() {
		for i := 0; i < 200; i++ {
			inner()
			if i%50 == 0 {
				Flush()
			}
		}
	})
	if len(got.spans) == 0 || len(got.spans) > 3000/250 {
		t.Errorf("%d spans under a 3 kB cap", len(got.spans))
	}
	capped := droppedCount(got.dropped, "telinject.inner", "size_cap")
	if capped+len(got.spans) != 200 {
		t.Errorf("%d spans + %d capped != 200", len(got.spans), capped)
	}
	if strings.Count(got.stderr, "TELINJECT_MAX_BYTES") != 2 { // the warning and the summary
		t.Errorf("stderr: %q", got.stderr)
	}
	if strings.Count(got.stderr, "reached TELINJECT_MAX_BYTES") != 1 {
		t.Errorf("want one warning: %q", got.stderr)
	}
}

func TestTraceparentJoinsTheTrace(t *testing.T) {
	const trace, parent = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	got := recordWith(t, withLimits(map[string]string{
		"TRACEPARENT": "00-" + trace + "-" + parent + "-01"}), func() { outer(); outer() })
	if len(got.spans) != 4 {
		t.Fatalf("spans: %v", got.spans)
	}
	for _, span := range got.spans {
		if span["trace_id"] != trace {
			t.Errorf("not in the trace: %v", span)
		}
		if span["name"] == "telinject.outer" && span["parent_span_id"] != parent {
			t.Errorf("root not under TRACEPARENT's span: %v", span)
		}
	}
	got = recordWith(t, withLimits(map[string]string{
		"TRACEPARENT": "00-" + trace + "-" + parent + "-00"}), func() { outer() })
	if len(got.spans) != 0 || droppedCount(got.dropped, "telinject.outer", "sampling") != 1 {
		t.Errorf("flags 00 recorded: %v %v", got.spans, got.dropped)
	}
	got = recordWith(t, withLimits(map[string]string{"TRACEPARENT": "00-xyz-01"}), func() { outer() })
	if len(got.spans) != 2 || got.spans[0]["trace_id"] == trace ||
		strings.Count(got.stderr, "ignoring TRACEPARENT") != 1 {
		t.Errorf("bad TRACEPARENT: %v %q", got.spans, got.stderr)
	}
}

func TestResourceLine(t *testing.T) {
	got := recordWith(t, withLimits(map[string]string{"OTEL_SERVICE_NAME": "ledger",
		"OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=prod,team=a%2Cb%20c,service.name=x"}),
		func() { outer() })
	if len(got.resource) != 1 {
		t.Fatalf("want one resource line: %v", got.resource)
	}
	r := got.resource[0]
	want := map[string]interface{}{"service.name": "ledger", "telemetry.sdk.name": "telinject",
		"telemetry.sdk.language": "go", "process.pid": float64(os.Getpid()),
		"deployment.environment": "prod", "team": "a,b c"}
	for key, value := range want {
		if r[key] != value {
			t.Errorf("%s = %v, want %v", key, r[key], value)
		}
	}
	got = recordWith(t, everything, func() { outer() })
	if got.resource[0]["service.name"] != "unknown_service:go" {
		t.Errorf("default service name: %v", got.resource)
	}
	// Nothing recorded: no resource line either.
	got = recordWith(t, everything, func() {})
	if len(got.resource) != 0 {
		t.Errorf("resource line without spans: %v", got.resource)
	}
}

func TestBadValuesWarnAndKeepTheDefault(t *testing.T) {
	got := recordWith(t, map[string]string{"TELINJECT_SAMPLE": "2", "TELINJECT_RATE_LIMIT": "x",
		"TELINJECT_MAX_BYTES": "lots"}, func() { outer() })
	for _, variable := range []string{"TELINJECT_SAMPLE", "TELINJECT_RATE_LIMIT",
		"TELINJECT_MAX_BYTES"} {
		if strings.Count(got.stderr, "ignoring "+variable+"=") != 1 {
			t.Errorf("no warning naming %s: %q", variable, got.stderr)
		}
	}
	if len(got.spans) != 2 {
		t.Errorf("spans: %v", got.spans)
	}
}

func TestGoroutinesNestUnderLimits(t *testing.T) {
	// Many goroutines whose stacks grow while spans are open: every child still finds its own
	// goroutine's parent.
	const workers = 16
	got := recordWith(t, everything, func() {
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for c := 0; c < 20; c++ {
					recurse(40)
				}
			}()
		}
		wg.Wait()
	})
	checkNesting(t, got.spans)
	roots := 0
	for _, span := range got.spans {
		if span["parent_span_id"] == nil {
			roots++
		}
	}
	if len(got.spans) != workers*20*41 || roots != workers*20 {
		t.Errorf("%d spans, %d roots", len(got.spans), roots)
	}
}

func recurse(n int) byte {
	defer Span("telinject.recurse")()
	var frame [256]byte // grows the stack: it moves while spans are open
	frame[n%256] = byte(n)
	if n > 0 {
		frame[0] += recurse(n - 1)
	}
	return frame[n%256] + frame[0]
}

// checkNesting asserts that parents are in the same goroutine and trace, and each chain of
// recurse spans is complete.
func checkNesting(t *testing.T, spans []map[string]interface{}) {
	t.Helper()
	byID := map[string]map[string]interface{}{}
	for _, span := range spans {
		byID[span["span_id"].(string)] = span
	}
	for _, span := range spans {
		parentID, ok := span["parent_span_id"].(string)
		if !ok {
			continue
		}
		parent := byID[parentID]
		if parent == nil {
			t.Fatalf("parent not recorded: %v", span)
		}
		if parent["thread.id"] != span["thread.id"] || parent["trace_id"] != span["trace_id"] {
			t.Fatalf("parent in another goroutine or trace:\n%v\n%v", span, parent)
		}
		if parent["start_time_unix_nano"].(float64) > span["start_time_unix_nano"].(float64) {
			t.Fatalf("parent started after its child:\n%v\n%v", span, parent)
		}
	}
}

func panicsDeep(n int) {
	defer Span("telinject.panicsDeep")()
	if n == 0 {
		panic(errBoom)
	}
	panicsDeep(n - 1)
}

func TestDeepPanicsCostTheirDepth(t *testing.T) {
	const depth = 3000
	start := time.Now()
	var got interface{}
	spans := record(t, func() {
		defer func() { got = recover() }()
		panicsDeep(depth)
	})
	if got != errBoom {
		t.Fatalf("recovered %v", got)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("a panic through %d instrumented frames took %v", depth, elapsed)
	}
	if len(spans) != depth+1 {
		t.Fatalf("%d spans", len(spans))
	}
	for _, span := range spans {
		if span["status"] != "error" || span["exception.message"] != "boom" ||
			span["exception.type"] != "*errors.errorString" {
			t.Fatalf("span: %v", span)
		}
	}
}

func TestStaleStackBlocksAreForgotten(t *testing.T) {
	record(t, func() {
		for i := 0; i < 20000; i++ {
			done := make(chan bool)
			go func() {
				defer close(done)
				inner()
			}()
			<-done
		}
	})
	mu.Lock()
	defer mu.Unlock()
	if len(blocks) > 2*4096+4096 {
		t.Errorf("%d stack blocks remembered after 20000 goroutines", len(blocks))
	}
}
