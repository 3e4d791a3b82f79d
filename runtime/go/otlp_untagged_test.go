//go:build !telinject_otlp
// +build !telinject_otlp

package telinject

import (
	"strings"
	"testing"
)

// Without -tags telinject_otlp the helper has no OTLP/HTTP exporter (it would link package net
// into every instrumented program): OTEL_TRACES_EXPORTER=otlp warns once, naming the tag, and the
// file gets every span as usual.
func TestExportWithoutTheTagWarnsOnce(t *testing.T) {
	if openExporter != nil {
		t.Fatal("an OTLP/HTTP exporter in a build without -tags telinject_otlp")
	}
	noExporterWarned = false
	want := len(record(t, func() { outer() }))
	env := map[string]string{"OTEL_TRACES_EXPORTER": "otlp",
		"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9/v1/traces"}
	for key, value := range everything {
		env[key] = value
	}
	first := recordWith(t, env, func() { outer() })
	second := recordWith(t, env, func() { outer() })
	if len(first.spans) != want || len(second.spans) != want || len(first.resource) != 1 {
		t.Errorf("spans %d and %d, resource lines %d; want %d spans", len(first.spans),
			len(second.spans), len(first.resource), want)
	}
	if !strings.Contains(first.stderr, "OTEL_TRACES_EXPORTER=otlp is ignored") ||
		strings.Count(first.stderr, "`go build -tags telinject_otlp`") != 1 ||
		strings.Count(first.stderr, "\n") != 1 || second.stderr != "" {
		t.Errorf("stderr: %q then %q", first.stderr, second.stderr)
	}
}
