//go:build telinject_otlp
// +build telinject_otlp

package telinject

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io/ioutil"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// The OTLP/HTTP exporter (otlp_http.go): variables, the protobuf encoding (read back by a small
// wire-format reader here; tests/e2e/test_otlp_go.py decodes it with the official definitions),
// delivery with retries.
func TestTargetVariables(t *testing.T) {
	for _, c := range []struct {
		env                     map[string]string
		url, address, host, why string
		json, gzip              bool
		timeout                 time.Duration
		headers                 [][2]string
	}{
		{env: map[string]string{}, url: "http://localhost:4318/v1/traces",
			address: "localhost:4318", host: "localhost:4318", timeout: 10 * time.Second},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector/base/",
			"OTEL_EXPORTER_OTLP_PROTOCOL": "http/json", "OTEL_EXPORTER_OTLP_TIMEOUT": "250",
			"OTEL_EXPORTER_OTLP_COMPRESSION": "gzip"},
			url: "http://collector/base/v1/traces", address: "collector:80", host: "collector",
			json: true, gzip: true, timeout: 250 * time.Millisecond},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://ignored:1",
			"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://u:p@[::1]:4318/x?y=1",
			"OTEL_EXPORTER_OTLP_PROTOCOL":        "http/json",
			"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf",
			"OTEL_EXPORTER_OTLP_HEADERS":         "ignored=1",
			"OTEL_EXPORTER_OTLP_TRACES_HEADERS":  "Authorization=Basic%20abc, x-b = 2"},
			url: "http://[::1]:4318/x?y=1", address: "[::1]:4318", host: "[::1]:4318",
			timeout: 10 * time.Second, headers: [][2]string{{"Authorization", "Basic abc"}, {"x-b", "2"}}},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
			"OTEL_EXPORTER_OTLP_TIMEOUT": "soon", "OTEL_EXPORTER_OTLP_COMPRESSION": "zstd",
			"OTEL_EXPORTER_OTLP_HEADERS": "secret-value-only"},
			url: "http://localhost:4318/v1/traces", address: "localhost:4318", host: "localhost:4318",
			timeout: 10 * time.Second,
			why: "OTEL_EXPORTER_OTLP_PROTOCOL=\"grpc\"|OTEL_EXPORTER_OTLP_TIMEOUT=\"soon\"|" +
				"OTEL_EXPORTER_OTLP_COMPRESSION=\"zstd\"|ignoring OTEL_EXPORTER_OTLP_HEADERS (want"},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://u:secret@collector:4318"},
			why: "ignoring OTEL_EXPORTER_OTLP_ENDPOINT=\"https://collector:4318/v1/traces\""},
	} {
		t.Run(c.url+c.why, func(t *testing.T) {
			for _, name := range []string{"ENDPOINT", "PROTOCOL", "TIMEOUT", "COMPRESSION", "HEADERS"} {
				withEnv(t, map[string]string{"OTEL_EXPORTER_OTLP_" + name: "",
					"OTEL_EXPORTER_OTLP_TRACES_" + name: ""})
				os.Unsetenv("OTEL_EXPORTER_OTLP_" + name)
				os.Unsetenv("OTEL_EXPORTER_OTLP_TRACES_" + name)
			}
			withEnv(t, c.env)
			var target *otlpTarget
			stderr := captureStderr(t, func() { target = readTarget() })
			for _, want := range strings.Split(c.why, "|") {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr %q lacks %q", stderr, want)
				}
			}
			if strings.Contains(stderr, "secret") {
				t.Errorf("a secret was printed: %q", stderr)
			}
			if c.url == "" {
				if target != nil {
					t.Errorf("want no target, got %+v", target)
				}
				return
			}
			if target == nil {
				t.Fatal("no target")
			}
			got := *target
			got.headers = nil
			want := otlpTarget{url: c.url, address: c.address, host: c.host,
				path: c.url[strings.Index(c.url[7:], "/")+7:], json: c.json, gzip: c.gzip,
				timeout: c.timeout}
			if !reflect.DeepEqual(got, want) || len(target.headers) != len(c.headers) {
				t.Fatalf("got %+v %q, want %+v %q", got, target.headers, want, c.headers)
			}
			for i := range c.headers {
				if target.headers[i] != c.headers[i] {
					t.Errorf("header %d: %q, want %q", i, target.headers[i], c.headers[i])
				}
			}
		})
	}
}

// wireField is one field of a protobuf message as read back: a varint, fixed64 or bytes.
type wireField struct {
	number int
	varint uint64
	bytes  []byte
}

// readMessage splits a protobuf message into its fields, failing the test on malformed input.
func readMessage(t *testing.T, b []byte) []wireField {
	t.Helper()
	var fields []wireField
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			t.Fatalf("bad tag in %x", b)
		}
		b = b[n:]
		field := wireField{number: int(key >> 3)}
		switch key & 7 {
		case wireVarint:
			field.varint, n = binary.Uvarint(b)
			if n <= 0 {
				t.Fatalf("bad varint in %x", b)
			}
			b = b[n:]
		case wireFixed64:
			if len(b) < 8 {
				t.Fatal("short fixed64")
			}
			field.varint, b = binary.LittleEndian.Uint64(b), b[8:]
		case wireBytes:
			size, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < size {
				t.Fatalf("bad length in %x", b)
			}
			field.bytes, b = b[n:n+int(size)], b[n+int(size):]
		default:
			t.Fatalf("wire type %d", key&7)
		}
		fields = append(fields, field)
	}
	return fields
}

func only(t *testing.T, fields []wireField, number int) []wireField {
	t.Helper()
	var out []wireField
	for _, f := range fields {
		if f.number == number {
			out = append(out, f)
		}
	}
	return out
}

// attributesOf reads KeyValue fields into a map of strings and int64s.
func attributesOf(t *testing.T, fields []wireField) map[string]interface{} {
	out := map[string]interface{}{}
	for _, f := range fields {
		kv := readMessage(t, f.bytes)
		key := string(only(t, kv, 1)[0].bytes)
		value := readMessage(t, only(t, kv, 2)[0].bytes)[0]
		switch value.number {
		case 1:
			out[key] = string(value.bytes)
		case 3:
			out[key] = int64(value.varint)
		default:
			t.Fatalf("attribute %s: field %d", key, value.number)
		}
	}
	return out
}

func TestProtobufEncoding(t *testing.T) {
	fn := &function{name: "m.(*T).Work", file: "/src/m/t.go", line: 12}
	long := strings.Repeat("x", 300) // a length of two varint bytes
	batch := []finished{
		{fn: fn, trace: [2]uint64{0x0102030405060708, 0x090a0b0c0d0e0f10}, id: 0x1112131415161718,
			start: 1700000000000000000, duration: 1500, goid: 7},
		{fn: fn, trace: [2]uint64{1, 2}, id: 3, parent: 0x1112131415161718, start: 5, duration: 6,
			goid: 300, failed: true, excType: "*errors.errorString", excMsg: long},
	}
	resource := []keyValue{{key: "service.name", value: "svc"}, {key: "process.pid", isInt: true, int: 42}}
	request := readMessage(t, appendRequestProtobuf([]byte("prefix"), resource, batch)[len("prefix"):])
	if len(request) != 1 || request[0].number != 1 {
		t.Fatalf("request: %+v", request)
	}
	resourceSpans := readMessage(t, request[0].bytes)
	gotResource := attributesOf(t, only(t, readMessage(t, only(t, resourceSpans, 1)[0].bytes), 1))
	if gotResource["service.name"] != "svc" || gotResource["process.pid"] != int64(42) {
		t.Errorf("resource: %v", gotResource)
	}
	scopeSpans := readMessage(t, only(t, resourceSpans, 2)[0].bytes)
	scope := readMessage(t, only(t, scopeSpans, 1)[0].bytes)
	if string(scope[0].bytes) != "telinject" || string(scope[1].bytes) != helperVersion {
		t.Errorf("scope: %+v", scope)
	}
	spans := only(t, scopeSpans, 2)
	if len(spans) != 2 {
		t.Fatalf("want 2 spans, got %d", len(spans))
	}
	root := readMessage(t, spans[0].bytes)
	if got := only(t, root, 1)[0].bytes; !bytes.Equal(got, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
		11, 12, 13, 14, 15, 16}) {
		t.Errorf("trace id %x", got)
	}
	if got := only(t, root, 2)[0].bytes; !bytes.Equal(got, []byte{0x11, 0x12, 0x13, 0x14, 0x15,
		0x16, 0x17, 0x18}) {
		t.Errorf("span id %x", got)
	}
	if len(only(t, root, 4)) != 0 || len(only(t, root, 11)) != 0 || len(only(t, root, 15)) != 0 {
		t.Errorf("a root that ended normally has no parent, event or status: %+v", root)
	}
	if string(only(t, root, 5)[0].bytes) != fn.name || only(t, root, 6)[0].varint != 1 ||
		only(t, root, 7)[0].varint != 1700000000000000000 ||
		only(t, root, 8)[0].varint != 1700000000000001500 {
		t.Errorf("name, kind or times: %+v", root)
	}
	attributes := attributesOf(t, only(t, root, 9))
	want := map[string]interface{}{"code.function.name": fn.name, "code.file.path": fn.file,
		"code.line.number": int64(12), "thread.id": int64(7)}
	if len(attributes) != len(want) {
		t.Errorf("attributes %v, want %v", attributes, want)
	}
	for key, value := range want {
		if attributes[key] != value {
			t.Errorf("attribute %s = %v, want %v", key, attributes[key], value)
		}
	}

	child := readMessage(t, spans[1].bytes)
	if got := only(t, child, 4)[0].bytes; !bytes.Equal(got, []byte{0x11, 0x12, 0x13, 0x14, 0x15,
		0x16, 0x17, 0x18}) {
		t.Errorf("parent span id %x", got)
	}
	if attributesOf(t, only(t, child, 9))["thread.id"] != int64(300) {
		t.Error("thread.id of two varint bytes")
	}
	event := readMessage(t, only(t, child, 11)[0].bytes)
	if only(t, event, 1)[0].varint != 11 || string(only(t, event, 2)[0].bytes) != "exception" {
		t.Errorf("event: %+v", event)
	}
	exception := attributesOf(t, only(t, event, 3))
	if exception["exception.type"] != "*errors.errorString" || exception["exception.message"] != long {
		t.Errorf("exception: %v", exception)
	}
	status := readMessage(t, only(t, child, 15)[0].bytes)
	if string(only(t, status, 2)[0].bytes) != long || only(t, status, 3)[0].varint != 2 {
		t.Errorf("status: %+v", status)
	}
}

// collector is an OTLP/HTTP endpoint for the tests: it answers the statuses given, then 200.
type collector struct {
	mu       sync.Mutex
	statuses []int
	bodies   [][]byte
	requests []*http.Request
	server   *httptest.Server
}

func newCollector(t *testing.T, statuses ...int) *collector {
	c := &collector{statuses: statuses}
	c.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := ioutil.ReadAll(r.Body)
		if r.Header.Get("Content-Encoding") == "gzip" {
			reader, err := gzip.NewReader(bytes.NewReader(body))
			if err == nil {
				body, _ = ioutil.ReadAll(reader)
			}
		}
		c.mu.Lock()
		c.bodies = append(c.bodies, body)
		c.requests = append(c.requests, r)
		status := 200
		if len(c.statuses) > 0 {
			status, c.statuses = c.statuses[0], c.statuses[1:]
		}
		c.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(c.server.Close)
	return c
}

// exportWith records body, exporting with the environment env and no file, and returns stderr.
func exportWith(t *testing.T, env map[string]string, body func()) string {
	t.Helper()
	withEnv(t, everything)
	withEnv(t, map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"})
	withEnv(t, env)
	return captureStderr(t, func() {
		if err := start("", true); err != nil {
			t.Fatal(err)
		}
		body()
		if err := Configure(""); err != nil {
			t.Fatal(err)
		}
	})
}

func TestExportRetriesAndKeepsEverySpan(t *testing.T) {
	c := newCollector(t, 503, 429)
	stderr := exportWith(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": c.server.URL,
		"OTEL_EXPORTER_OTLP_COMPRESSION": "gzip", "OTEL_EXPORTER_OTLP_HEADERS": "k=v"},
		func() {
			for i := 0; i < 600; i++ {
				outer()
			}
		})
	if stderr != "" {
		t.Errorf("stderr: %q", stderr)
	}
	// Two refused requests, then 1200 spans in requests of at most 512.
	names := jsonSpans(t, c.bodies[2:])
	if len(names) != 1200 || len(c.bodies) < 5 {
		t.Fatalf("%d spans in %d requests", len(names), len(c.bodies))
	}
	if !bytes.Equal(c.bodies[0], c.bodies[1]) || !bytes.Equal(c.bodies[1], c.bodies[2]) {
		t.Error("a retry differs from the first request")
	}
	for i, body := range c.bodies {
		if n := len(jsonSpans(t, [][]byte{body})); n > maxRequestSpans {
			t.Errorf("request %d holds %d spans", i, n)
		}
		if c.requests[i].Header.Get("k") != "v" || c.requests[i].URL.Path != "/v1/traces" {
			t.Errorf("request %d: %v %v", i, c.requests[i].URL, c.requests[i].Header)
		}
	}
}

func TestExportGivesUpAndSaysSo(t *testing.T) {
	c := newCollector(t, 400)
	stderr := exportWith(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": c.server.URL},
		func() { outer() })
	if len(c.bodies) != 1 {
		t.Errorf("400 is not retried: %d requests", len(c.bodies))
	}
	if !strings.Contains(stderr, "OTLP export to "+c.server.URL+"/v1/traces failed (HTTP 400)") ||
		!strings.Contains(stderr, "0 spans exported to "+c.server.URL+"/v1/traces, 0 not recorded") ||
		!strings.Contains(stderr, "export failed 2") {
		t.Errorf("stderr: %q", stderr)
	}

	// Nobody listens: retried within the timeout, then given up, warned once.
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	address := listener.Addr().String()
	listener.Close()
	begun := time.Now()
	stderr = exportWith(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://" + address,
		"OTEL_EXPORTER_OTLP_TIMEOUT": "1000"}, func() {
		outer()
		Flush()
		outer()
	})
	if elapsed := time.Since(begun); elapsed > 3*time.Second {
		t.Errorf("took %v", elapsed)
	}
	if strings.Count(stderr, "OTLP export to") != 1 || !strings.Contains(stderr, "export failed 4") {
		t.Errorf("stderr: %q", stderr)
	}
}
