package telinject

import (
	"os"
	"path/filepath"
	"testing"
)

// The cost of one instrumented call (bench/runtime_go.sh runs these): a child span inside an open
// root span, as most calls are; BenchmarkRootSpan is a call with no span open on its goroutine.

func plainWork() int { return 1 }

func spanned() int {
	defer Span("telinject.spanned")()
	return 1
}

func benchmarkUnder(b *testing.B, env map[string]string, call func() int) {
	if env != nil {
		for key, value := range env {
			os.Setenv(key, value)
			defer os.Unsetenv(key)
		}
		if err := Configure(filepath.Join(b.TempDir(), "spans.jsonl")); err != nil {
			b.Fatal(err)
		}
		defer Configure("")
	}
	func() {
		defer Span("telinject.benchmark")()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			call()
		}
		b.StopTimer()
	}()
}

func BenchmarkPlain(b *testing.B) { benchmarkUnder(b, nil, plainWork) }

func BenchmarkOff(b *testing.B) { benchmarkUnder(b, nil, spanned) }

func BenchmarkDefaults(b *testing.B) { benchmarkUnder(b, map[string]string{}, spanned) }

func BenchmarkEverything(b *testing.B) { benchmarkUnder(b, everything, spanned) }

func BenchmarkRootSpan(b *testing.B) {
	for key, value := range everything {
		os.Setenv(key, value)
		defer os.Unsetenv(key)
	}
	if err := Configure(filepath.Join(b.TempDir(), "spans.jsonl")); err != nil {
		b.Fatal(err)
	}
	defer Configure("")
	for i := 0; i < b.N; i++ {
		spanned()
	}
}
