// The telinject helper's OTLP/HTTP exporter (docs/go.md): telinject writes it beside
// telinject.go. It needs package net, so it is only built with `go build -tags telinject_otlp`;
// without the tag OTEL_TRACES_EXPORTER=otlp only warns (see "OTLP" in telinject.go).

//go:build telinject_otlp
// +build telinject_otlp

package telinject

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Spans go to an OpenTelemetry collector over OTLP/HTTP (protobuf, encoded here by hand from
// the field numbers of opentelemetry-proto's trace.proto, common.proto and resource.proto, or
// JSON) from a goroutine of their own, never the caller's. The client is a minimal HTTP/1.1 one
// over package net: net/http would add ~2 MB to the program, crypto/tls ~0.75 MB, so endpoints
// are http:// only (a collector or agent beside the program; https:// is refused with a
// warning).

// The exporter is hooked by a package variable's initialisation, not an init function: package
// variables are all initialised before any init function runs, whatever the order of the
// files, and telinject.go's init may start the export.
var _ = func() bool { openExporter = openTarget; return true }()

// openTarget is the target the variables describe as an exporter, or nil (after a warning).
func openTarget() exporter {
	if t := readTarget(); t != nil {
		return t
	}
	return nil
}

const (
	maxQueuedSpans = 64 * maxRequestSpans // past this, spans waiting for export are dropped
	exportRetries  = 3
	firstBackoff   = 100 * time.Millisecond
)

// otlpTarget is where and how spans are exported, as the OTEL_EXPORTER_OTLP_* variables say.
type otlpTarget struct {
	url     string // for messages: without credentials
	address string // host:port to dial
	host    string // the Host header
	path    string
	json    bool
	gzip    bool
	headers [][2]string
	timeout time.Duration
}

// tracesSetting is OTEL_EXPORTER_OTLP_TRACES_<name> when set, else OTEL_EXPORTER_OTLP_<name>.
func tracesSetting(name string) (variable, value string, ok bool) {
	variable = "OTEL_EXPORTER_OTLP_TRACES_" + name
	if value, ok = os.LookupEnv(variable); ok {
		return variable, value, ok
	}
	variable = "OTEL_EXPORTER_OTLP_" + name
	value, ok = os.LookupEnv(variable)
	return variable, value, ok
}

// readTarget reads the exporter's variables; nil (after a warning) when the endpoint cannot be
// used.
func readTarget() *otlpTarget {
	t := &otlpTarget{timeout: 10 * time.Second}
	endpoint := "http://localhost:4318/v1/traces"
	variable := "OTEL_EXPORTER_OTLP_ENDPOINT"
	if text, ok := os.LookupEnv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); ok && text != "" {
		endpoint, variable = strings.TrimSpace(text), "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	} else if text, ok := os.LookupEnv(variable); ok && text != "" {
		endpoint = strings.TrimRight(strings.TrimSpace(text), "/") + "/v1/traces"
	}
	if !t.parseURL(endpoint) {
		fmt.Fprintf(os.Stderr, "telinject: ignoring %s=%q (want http://host:port/path; the Go "+
			"helper has no TLS: export to a collector over http): spans are not exported\n",
			variable, redact(endpoint))
		return nil
	}
	if variable, text, ok := tracesSetting("PROTOCOL"); ok {
		switch strings.TrimSpace(text) {
		case "http/protobuf", "":
		case "http/json":
			t.json = true
		default:
			warn(variable, text, "http/protobuf or http/json; grpc is not supported")
		}
	}
	if variable, text, ok := tracesSetting("TIMEOUT"); ok {
		ms, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil || ms <= 0 || ms > 1e9 {
			warn(variable, text, "milliseconds")
		} else {
			t.timeout = time.Duration(ms) * time.Millisecond
		}
	}
	if variable, text, ok := tracesSetting("COMPRESSION"); ok {
		switch strings.TrimSpace(text) {
		case "none", "":
		case "gzip":
			t.gzip = true
		default:
			warn(variable, text, "none or gzip")
		}
	}
	if variable, text, ok := tracesSetting("HEADERS"); ok && strings.TrimSpace(text) != "" {
		for _, pair := range strings.Split(text, ",") {
			equals := strings.IndexByte(pair, '=')
			key := ""
			if equals > 0 {
				key = strings.TrimSpace(pair[:equals])
			}
			value, valid := "", false
			if key != "" {
				value, valid = percentDecode(strings.TrimSpace(pair[equals+1:]))
			}
			if !valid || strings.ContainsAny(key+value, "\r\n") || strings.ContainsAny(key, " :") {
				// Headers carry credentials: never printed.
				fmt.Fprintf(os.Stderr, "telinject: ignoring %s (want key=value,key=value)\n", variable)
				t.headers = nil
				break
			}
			t.headers = append(t.headers, [2]string{key, value})
		}
	}
	return t
}

// parseURL reads an http:// URL into t.
func (t *otlpTarget) parseURL(text string) bool {
	const scheme = "http://"
	if len(text) < len(scheme) || !strings.EqualFold(text[:len(scheme)], scheme) {
		return false
	}
	rest := text[len(scheme):]
	path := "/"
	if slash := strings.IndexAny(rest, "/?#"); slash >= 0 {
		rest, path = rest[:slash], rest[slash:]
		if hash := strings.IndexByte(path, '#'); hash >= 0 {
			path = path[:hash]
		}
		if path == "" || path[0] != '/' {
			path = "/" + path
		}
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		rest = rest[at+1:] // credentials in the URL are not sent (nor printed)
	}
	host, port := rest, "80"
	if colon := strings.LastIndexByte(rest, ':'); colon >= 0 && !strings.HasSuffix(rest, "]") {
		host, port = rest[:colon], rest[colon+1:]
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
			return false
		}
	}
	if host == "" || strings.ContainsAny(host, " \r\n") {
		return false
	}
	t.host = rest
	t.address = net.JoinHostPort(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), port)
	t.path = path
	t.url = scheme + rest + path
	return true
}

// redact is a URL without the credentials it may hold.
func redact(url string) string {
	if scheme := strings.Index(url, "://"); scheme >= 0 {
		rest := url[scheme+3:]
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		if at := strings.LastIndexByte(rest[:end], '@'); at >= 0 {
			return url[:scheme+3] + rest[at+1:]
		}
	}
	return url
}

// exporting is the export's state, guarded by exportMu. A sender goroutine runs while spans wait;
// an epoch ends when the exit gives up waiting or Configure starts over: a sender of an older
// epoch stops without counting.
var (
	exportMu      sync.Mutex
	exportQueue   []finished
	exportRunning bool
	exportIdle    chan struct{} // closed when the sender stops
	exportEpoch   int
	inFlight      int // spans the sender is sending
	exportedSpans uint64
	exportFailed  uint64
	exportWarned  bool
)

// queue queues a copy of batch for the sender, which it starts if needed.
func (t *otlpTarget) queue(cfg *settings, batch []finished) {
	if len(batch) == 0 {
		return
	}
	exportMu.Lock()
	defer exportMu.Unlock()
	if len(exportQueue)+len(batch) > maxQueuedSpans {
		failExport(t, uint64(len(batch)), "the collector falls behind")
		return
	}
	exportQueue = append(exportQueue, batch...)
	if !exportRunning {
		exportRunning = true
		exportIdle = make(chan struct{})
		go sendInBackground(t, cfg.resource, exportEpoch, exportIdle)
	}
}

// failExport counts n spans not exported and warns the first time (exportMu held).
func failExport(t *otlpTarget, n uint64, why string) {
	exportFailed += n
	if !exportWarned {
		exportWarned = true
		fmt.Fprintf(os.Stderr, "telinject: OTLP export to %s failed (%s): spans not exported are "+
			"dropped (counted at exit)\n", t.url, why)
	}
}

// sendInBackground sends the queue in requests of up to maxRequestSpans until it is empty.
func sendInBackground(t *otlpTarget, resource []keyValue, epoch int, idle chan struct{}) {
	client := &httpClient{target: t}
	defer client.close()
	var batch []finished
	var body []byte
	for {
		exportMu.Lock()
		if epoch != exportEpoch {
			exportMu.Unlock()
			return
		}
		if len(exportQueue) == 0 {
			exportRunning, exportQueue, inFlight = false, nil, 0
			close(idle)
			exportMu.Unlock()
			return
		}
		n := len(exportQueue)
		if n > maxRequestSpans {
			n = maxRequestSpans
		}
		batch = append(batch[:0], exportQueue[:n]...)
		exportQueue = exportQueue[n:]
		inFlight = n
		exportMu.Unlock()

		if t.json {
			body = appendRequestJSON(body[:0], resource, batch)
		} else {
			body = appendRequestProtobuf(body[:0], resource, batch)
		}
		why := client.send(body)

		exportMu.Lock()
		if epoch == exportEpoch {
			inFlight = 0
			if why == "" {
				exportedSpans += uint64(n)
			} else {
				failExport(t, uint64(n), why)
			}
		}
		exportMu.Unlock()
	}
}

// finish waits until the queue is sent, at most the timeout, and returns the spans exported and
// not exported so far.
func (t *otlpTarget) finish() (exported, failed uint64) {
	exportMu.Lock()
	idle, running := exportIdle, exportRunning
	exportMu.Unlock()
	if running {
		timer := time.NewTimer(t.timeout)
		select {
		case <-idle:
		case <-timer.C:
		}
		timer.Stop()
	}
	exportMu.Lock()
	defer exportMu.Unlock()
	if exportRunning {
		exportEpoch++
		exportRunning = false
		failExport(t, uint64(len(exportQueue)+inFlight), "timed out at exit")
		exportQueue, inFlight = nil, 0
	}
	return exportedSpans, exportFailed
}

func (t *otlpTarget) where() string { return t.url }

// stop forgets the export (its sender, if still running, stops) before the next configuration.
func (t *otlpTarget) stop() {
	exportMu.Lock()
	defer exportMu.Unlock()
	exportEpoch++
	exportRunning, exportQueue, inFlight = false, nil, 0
	exportedSpans, exportFailed, exportWarned = 0, 0, false
}

// httpClient posts requests to the target over one kept-alive HTTP/1.1 connection.
type httpClient struct {
	target *otlpTarget
	conn   net.Conn
	reader *bufio.Reader
	head   []byte
	packed bytes.Buffer
}

func (c *httpClient) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn, c.reader = nil, nil
	}
}

// send posts body with retries on 429, 502, 503, 504 and connection errors, backing off from
// firstBackoff within the timeout; it returns "" on success, else why it failed.
func (c *httpClient) send(body []byte) string {
	t := c.target
	deadline := time.Now().Add(t.timeout)
	if t.gzip {
		c.packed.Reset()
		packer := gzip.NewWriter(&c.packed)
		packer.Write(body)
		packer.Close()
		body = c.packed.Bytes()
	}
	backoff := firstBackoff
	for attempt := 0; ; attempt++ {
		status, err := c.post(body, deadline)
		var why string
		switch {
		case err != nil:
			why = err.Error()
		case status >= 200 && status < 300:
			return ""
		default:
			why = "HTTP " + strconv.Itoa(status)
			if status != 429 && status != 502 && status != 503 && status != 504 {
				return why
			}
		}
		if attempt == exportRetries || time.Now().Add(backoff).After(deadline) {
			return why
		}
		time.Sleep(backoff)
		backoff *= 2
	}
}

// post sends one request and reads the status of its answer. A kept-alive connection the
// collector closed meanwhile is dialled again at once.
func (c *httpClient) post(body []byte, deadline time.Time) (int, error) {
	t := c.target
	c.head = append(c.head[:0], "POST "...)
	c.head = append(c.head, t.path...)
	c.head = append(c.head, " HTTP/1.1\r\nHost: "...)
	c.head = append(c.head, t.host...)
	c.head = append(c.head, "\r\nUser-Agent: telinject-go/"+helperVersion+"\r\nContent-Type: "...)
	if t.json {
		c.head = append(c.head, "application/json"...)
	} else {
		c.head = append(c.head, "application/x-protobuf"...)
	}
	if t.gzip {
		c.head = append(c.head, "\r\nContent-Encoding: gzip"...)
	}
	c.head = append(c.head, "\r\nContent-Length: "...)
	c.head = strconv.AppendInt(c.head, int64(len(body)), 10)
	for _, header := range t.headers {
		c.head = append(c.head, "\r\n"...)
		c.head = append(c.head, header[0]...)
		c.head = append(c.head, ": "...)
		c.head = append(c.head, header[1]...)
	}
	c.head = append(c.head, "\r\n\r\n"...)
	for fresh := c.conn == nil; ; fresh = true {
		if c.conn == nil {
			conn, err := net.DialTimeout("tcp", t.address, time.Until(deadline))
			if err != nil {
				return 0, err
			}
			c.conn, c.reader = conn, bufio.NewReader(conn)
		}
		c.conn.SetDeadline(deadline)
		status, err := c.exchange(body)
		if err == nil {
			return status, nil
		}
		c.close()
		if fresh || time.Now().After(deadline) {
			return 0, err
		}
	}
}

// exchange writes the request and reads the answer's status line and headers, and its body when
// it has a length (else the connection is closed after it).
func (c *httpClient) exchange(body []byte) (int, error) {
	if _, err := (&net.Buffers{c.head, body}).WriteTo(c.conn); err != nil {
		return 0, err
	}
	line, err := c.reader.ReadString('\n')
	if err != nil {
		return 0, err
	}
	// "HTTP/1.1 200 OK"
	fields := strings.Fields(line)
	if len(fields) < 2 || !strings.HasPrefix(fields[0], "HTTP/1.") {
		return 0, fmt.Errorf("not an HTTP answer: %.40q", line)
	}
	status, err := strconv.Atoi(fields[1])
	if err != nil {
		return 0, fmt.Errorf("not an HTTP answer: %.40q", line)
	}
	length, keep := int64(-1), fields[0] != "HTTP/1.0"
	for {
		header, err := c.reader.ReadString('\n')
		if err != nil {
			return 0, err
		}
		header = strings.TrimSpace(header)
		if header == "" {
			break
		}
		colon := strings.IndexByte(header, ':')
		if colon < 0 {
			continue
		}
		name, value := strings.ToLower(header[:colon]), strings.TrimSpace(header[colon+1:])
		switch name {
		case "content-length":
			if length, err = strconv.ParseInt(value, 10, 64); err != nil {
				length = -1
			}
		case "connection":
			keep = keep && !strings.EqualFold(value, "close") ||
				strings.EqualFold(value, "keep-alive")
		case "transfer-encoding":
			keep = false // chunked: not read, the connection is closed instead
		}
	}
	if keep && length >= 0 {
		if _, err := c.reader.Discard(int(length)); err != nil {
			c.close()
		}
	} else {
		c.close()
	}
	return status, nil
}

// Protobuf wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
)

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendTag(b []byte, field, wire int) []byte { return appendVarint(b, uint64(field<<3|wire)) }

func appendStringField(b []byte, field int, s string) []byte {
	b = appendVarint(appendTag(b, field, wireBytes), uint64(len(s)))
	return append(b, s...)
}

func appendFixed64Field(b []byte, field int, v uint64) []byte {
	b = appendTag(b, field, wireFixed64)
	return append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24), byte(v>>32), byte(v>>40),
		byte(v>>48), byte(v>>56))
}

func appendIDField(b []byte, field int, ids ...uint64) []byte {
	b = appendVarint(appendTag(b, field, wireBytes), uint64(8*len(ids)))
	for _, id := range ids {
		b = append(b, byte(id>>56), byte(id>>48), byte(id>>40), byte(id>>32), byte(id>>24),
			byte(id>>16), byte(id>>8), byte(id))
	}
	return b
}

// appendMessage appends field as an embedded message written by body: body writes it in place,
// then it moves right by the size of its length prefix.
func appendMessage(b []byte, field int, body func([]byte) []byte) []byte {
	b = appendTag(b, field, wireBytes)
	at := len(b)
	b = body(b)
	size := len(b) - at
	var prefix [10]byte
	n := len(appendVarint(prefix[:0], uint64(size)))
	b = append(b, prefix[:n]...)
	copy(b[at+n:], b[at:at+size])
	copy(b[at:], prefix[:n])
	return b
}

// appendAttributeProtobuf appends a KeyValue as field.
func appendAttributeProtobuf(b []byte, field int, a *keyValue) []byte {
	return appendMessage(b, field, func(b []byte) []byte {
		b = appendStringField(b, 1, a.key)                 // key
		return appendMessage(b, 2, func(b []byte) []byte { // value: AnyValue
			if a.isInt {
				return appendVarint(appendTag(b, 3, wireVarint), uint64(a.int)) // int_value
			}
			return appendStringField(b, 1, a.value) // string_value
		})
	})
}

// appendRequestProtobuf appends one ExportTraceServiceRequest in the protobuf wire format.
func appendRequestProtobuf(b []byte, resource []keyValue, batch []finished) []byte {
	return appendMessage(b, 1, func(b []byte) []byte { // resource_spans
		b = appendMessage(b, 1, func(b []byte) []byte { // resource
			for i := range resource {
				b = appendAttributeProtobuf(b, 1, &resource[i]) // attributes
			}
			return b
		})
		return appendMessage(b, 2, func(b []byte) []byte { // scope_spans
			b = appendMessage(b, 1, func(b []byte) []byte { // scope
				b = appendStringField(b, 1, "telinject")      // name
				return appendStringField(b, 2, helperVersion) // version
			})
			for i := range batch {
				b = appendMessage(b, 2, func(b []byte) []byte { return appendSpanProtobuf(b, &batch[i]) })
			}
			return b
		})
	})
}

// appendSpanProtobuf appends the fields of one Span.
func appendSpanProtobuf(b []byte, r *finished) []byte {
	end := uint64(r.start + r.duration)
	b = appendIDField(b, 1, r.trace[0], r.trace[1]) // trace_id
	b = appendIDField(b, 2, r.id)                   // span_id
	if r.parent != 0 {
		b = appendIDField(b, 4, r.parent) // parent_span_id
	}
	b = appendStringField(b, 5, r.fn.name)           // name
	b = appendVarint(appendTag(b, 6, wireVarint), 1) // kind: SPAN_KIND_INTERNAL
	b = appendFixed64Field(b, 7, uint64(r.start))    // start_time_unix_nano
	b = appendFixed64Field(b, 8, end)                // end_time_unix_nano
	for _, a := range spanAttributes(r) {
		b = appendAttributeProtobuf(b, 9, &a) // attributes
	}
	if r.failed {
		b = appendMessage(b, 11, func(b []byte) []byte { // events
			b = appendFixed64Field(b, 1, end)        // time_unix_nano
			b = appendStringField(b, 2, "exception") // name
			for _, a := range exceptionAttributes(r) {
				b = appendAttributeProtobuf(b, 3, &a) // attributes
			}
			return b
		})
		b = appendMessage(b, 15, func(b []byte) []byte { // status
			b = appendStringField(b, 2, r.excMsg)               // message
			return appendVarint(appendTag(b, 3, wireVarint), 2) // code: STATUS_CODE_ERROR
		})
	}
	return b
}
