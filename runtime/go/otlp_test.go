package telinject

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// OTLP in every build (docs/telemetry.md): the OTLP/JSON file. otlp_http_test.go tests the
// OTLP/HTTP exporter (-tags telinject_otlp), otlp_untagged_test.go its absence. withEnv sets
// variables for one test.
func withEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for key, value := range env {
		old, had := os.LookupEnv(key)
		os.Setenv(key, value)
		t.Cleanup(func(key, old string, had bool) func() {
			return func() {
				if had {
					os.Setenv(key, old)
				} else {
					os.Unsetenv(key)
				}
			}
		}(key, old, had))
	}
}

// captureStderr runs body with stderr sent to a file and returns what was written.
func captureStderr(t *testing.T, body func()) string {
	t.Helper()
	file, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = file
	defer func() { os.Stderr = saved }()
	body()
	os.Stderr = saved
	written, _ := os.ReadFile(file.Name())
	return string(written)
}

// jsonSpans reads the span names out of OTLP/JSON requests.
func jsonSpans(t *testing.T, bodies [][]byte) []string {
	t.Helper()
	var names []string
	for _, body := range bodies {
		var request struct {
			ResourceSpans []struct {
				ScopeSpans []struct {
					Spans []struct{ Name string }
				}
			}
		}
		if err := json.Unmarshal(body, &request); err != nil {
			t.Fatalf("not JSON: %v: %.200s", err, body)
		}
		for _, rs := range request.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					names = append(names, s.Name)
				}
			}
		}
	}
	return names
}

func TestOTLPFile(t *testing.T) {
	result := recordWith(t, map[string]string{"TELINJECT_OUT_FORMAT": "otlp",
		"TELINJECT_RATE_LIMIT": "off", "TELINJECT_MAX_BYTES": "off"}, func() {
		for i := 0; i < 600; i++ {
			outer()
		}
	})
	// readOutput took each request for a span line.
	if len(result.resource) != 0 || len(result.dropped) != 0 || len(result.spans) < 3 {
		t.Fatalf("lines: %+v", result)
	}
	total := 0
	for _, line := range result.spans {
		encoded, _ := json.Marshal(line)
		n := len(jsonSpans(t, [][]byte{encoded}))
		if n > maxRequestSpans {
			t.Errorf("a line holds %d spans", n)
		}
		total += n
	}
	if total != 1200 {
		t.Errorf("%d spans", total)
	}

	// The size cap holds for whole requests.
	path := filepath.Join(t.TempDir(), "capped.jsonl")
	withEnv(t, map[string]string{"TELINJECT_OUT_FORMAT": "otlp", "TELINJECT_RATE_LIMIT": "off",
		"TELINJECT_MAX_BYTES": "20k"})
	stderr := captureStderr(t, func() {
		if err := Configure(path); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 200; i++ {
			outer()
			Flush()
		}
		Configure("")
	})
	info, err := os.Stat(path)
	if err != nil || info.Size() > 20000 || info.Size() < 10000 {
		t.Errorf("capped file: %v %v", info.Size(), err)
	}
	if !strings.Contains(stderr, "reached TELINJECT_MAX_BYTES") || !strings.Contains(stderr, "size cap") {
		t.Errorf("stderr: %q", stderr)
	}
}
