package telinject

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The child side of the exit tests: a process whose "main" is the span named main.main, run by
// the test binary itself with TELINJECT_EXIT_CHILD set (the runtime configures itself from
// TELINJECT_OUT in init, as in an instrumented program).
func TestMain(m *testing.M) {
	switch os.Getenv("TELINJECT_EXIT_CHILD") {
	case "":
		os.Exit(m.Run())
	case "return":
		fakeMain(func() {})
		os.Exit(0) // what the runtime does when main.main returns
	case "panic":
		fakeMain(func() { panic("main gave up") })
	case "sigterm":
		// Finished spans (children of an open span, so not written at their end) wait in the
		// buffer, and calls were dropped, when the signal comes.
		func() {
			defer Span("telinject.waiting")()
			for i := 0; i < 50; i++ {
				outer()
			}
			os.Stdout.WriteString("ready\n")
			time.Sleep(time.Minute)
		}()
	}
	os.Exit(3)
}

func fakeMain(body func()) {
	defer Span("main.main")()
	for i := 0; i < 50; i++ {
		outer() // the last ones are written by main.main's end only
	}
	inner()
	body()
}

func runChild(t *testing.T, mode string, env ...string) (*exec.Cmd, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "spans.jsonl")
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), "TELINJECT_EXIT_CHILD="+mode, "TELINJECT_OUT="+path,
		"TELINJECT_RATE_LIMIT=20,0", "TELINJECT_SAMPLE=1", "TELINJECT_MAX_BYTES=off")
	child.Env = append(child.Env, env...)
	return child, path
}

func TestRecordsSurviveMainReturning(t *testing.T) {
	child, path := runChild(t, "return")
	stderr, err := child.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	got := readOutput(t, path)
	// 20 of 50 outer, 20 of 51 inner (a dropped call's callees still run), main.main.
	if len(got.spans) != 41 || byName(got.spans, "main.main") == nil {
		t.Errorf("%d spans", len(got.spans))
	}
	if droppedCount(got.dropped, "telinject.outer", "rate_limit") != 30 {
		t.Errorf("dropped: %v", got.dropped)
	}
	if !strings.Contains(string(stderr), "telinject: 41 spans written to "+path+
		", 61 not recorded (rate limit 61, sampling 0, size cap 0)") {
		t.Errorf("summary: %s", stderr)
	}
}

func TestRecordsSurviveAPanicInMain(t *testing.T) {
	child, path := runChild(t, "panic")
	stderr, err := child.CombinedOutput()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 2 {
		t.Fatalf("want the panic's exit status 2: %v: %s", err, stderr)
	}
	if !strings.Contains(string(stderr), "panic: main gave up") {
		t.Errorf("the panic is not reported: %s", stderr)
	}
	got := readOutput(t, path)
	main := byName(got.spans, "main.main")
	if len(got.spans) != 41 || main == nil || main["status"] != "error" ||
		main["exception.message"] != "main gave up" || main["exception.type"] != "string" {
		t.Errorf("%d spans: %v", len(got.spans), main)
	}
}

func TestRecordsWrittenBeforeSIGTERM(t *testing.T) {
	child, path := runChild(t, "sigterm")
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	child.Stderr = &stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
		child.Process.Kill()
		t.Fatalf("child said %q: %s", line, stderr.String())
	}
	// The helper leaves SIGTERM to the program (its default action kills at once): what the
	// background writer wrote before the signal is in the file, whole.
	time.Sleep(400 * time.Millisecond)
	child.Process.Signal(syscall.SIGTERM)
	err = child.Wait()
	status, ok := child.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !status.Signaled() || status.Signal() != syscall.SIGTERM {
		t.Errorf("want death by SIGTERM, got %v: %s", err, stderr.String())
	}
	got := readOutput(t, path)
	if len(got.spans) != 40 || len(got.resource) != 1 ||
		droppedCount(got.dropped, "telinject.inner", "rate_limit") != 30 {
		t.Errorf("%d spans after SIGTERM, dropped %v", len(got.spans), got.dropped)
	}
}
