// Decodes OTLP trace export requests with the official OTLP protobuf definitions (generated from
// opentelemetry-proto into @opentelemetry/otlp-transformer's build/src/generated/root.js), so a
// test can check that what a runtime sent or wrote is what a collector reads.
//
//   node decode.cjs NODE_MODULES protobuf FILE...   each FILE one binary ExportTraceServiceRequest
//   node decode.cjs NODE_MODULES json FILE...       each FILE JSON Lines, one request per line
//                                                   (OTLP/HTTP JSON bodies, the file exporter's format)
//
// Prints one JSON array: every request in canonical form (int64 as strings, enums as numbers,
// trace and span ids as lowercase hex). Exits 1 with a message naming the file when a payload
// does not decode, or when a JSON request holds a field the definitions do not know or a value
// of the wrong type (it must survive fromObject -> toObject unchanged), or ids that are not hex.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const [modules, mode, ...files] = process.argv.slice(2);
if (!modules || !["protobuf", "json"].includes(mode) || files.length === 0) {
  console.error("usage: decode.cjs NODE_MODULES protobuf|json FILE...");
  process.exit(2);
}
const root = require(path.join(modules, "@opentelemetry", "otlp-transformer", "build", "src",
                               "generated", "root.js"));
const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const ID_FIELDS = new Set(["traceId", "spanId", "parentSpanId"]);
const OBJECT_OPTIONS = { longs: String, enums: Number, bytes: String };

function fail(where, message) {
  console.error(`${where}: ${message}`);
  process.exit(1);
}

// Ids: base64 (protobuf's JSON mapping, what toObject gives) <-> hex (OTLP/JSON's exception).
function mapIds(value, convert) {
  if (Array.isArray(value)) return value.map((item) => mapIds(item, convert));
  if (value === null || typeof value !== "object") return value;
  const out = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = ID_FIELDS.has(key) && typeof item === "string" ? convert(item, key) : mapIds(item, convert);
  }
  return out;
}
const toHex = (base64) => Buffer.from(base64, "base64").toString("hex");

// int64 fields may be JSON numbers or strings (fromObject would also take a number for a string
// field, so those are named); enums are numbers; compare them as strings.
const STRING_FIELDS = new Set(["stringValue", "name", "key", "message", "version", "schemaUrl",
                               "traceState"]);
function sameValue(input, output) {
  if (typeof input === "number" || typeof output === "number") return String(input) === String(output);
  return input === output;
}

// Every field and value of `input` must come back from the definitions unchanged.
function compare(input, output, where) {
  if (Array.isArray(input)) {
    if (!Array.isArray(output) || output.length !== input.length) fail(where, "a list changed length or type");
    input.forEach((item, index) => compare(item, output[index], `${where}[${index}]`));
    return;
  }
  if (input !== null && typeof input === "object") {
    if (output === null || typeof output !== "object") fail(where, "an object became a value");
    for (const [key, value] of Object.entries(input)) {
      if (!(key in output)) {
        // Default values (0, "", false, []) are not written back by toObject.
        if (value === 0 || value === "0" || value === "" || value === false ||
            (Array.isArray(value) && value.length === 0)) continue;
        fail(`${where}.${key}`, "not a field of the OTLP definitions, or a value of the wrong type");
      }
      compare(value, output[key], `${where}.${key}`);
    }
    return;
  }
  const key = where.slice(where.lastIndexOf(".") + 1);
  if (STRING_FIELDS.has(key) && typeof input !== "string") fail(where, "a string is expected");
  if (!sameValue(input, output)) fail(where, `${JSON.stringify(input)} read as ${JSON.stringify(output)}`);
}

const requests = [];
for (const file of files) {
  const bytes = fs.readFileSync(file);
  if (mode === "protobuf") {
    let message;
    try {
      message = Request.decode(bytes);
    } catch (error) {
      fail(file, `not an ExportTraceServiceRequest: ${error.message}`);
    }
    const problem = Request.verify(message);
    if (problem) fail(file, problem);
    requests.push(mapIds(Request.toObject(message, OBJECT_OPTIONS), toHex));
    continue;
  }
  bytes.toString("utf8").split("\n").forEach((line, index) => {
    if (!line.trim()) return;
    const where = `${file}:${index + 1}`;
    let input;
    try {
      input = JSON.parse(line);
    } catch (error) {
      fail(where, `not JSON: ${error.message}`);
    }
    const asBase64 = mapIds(input, (hex, key) => {
      const length = key === "traceId" ? 32 : 16;
      if (!new RegExp(`^[0-9a-f]{${length}}$`).test(hex) && !(key === "parentSpanId" && hex === "")) {
        fail(where, `${key} ${JSON.stringify(hex)} is not ${length} lowercase hex digits`);
      }
      return Buffer.from(hex, "hex").toString("base64");
    });
    // (verify() is for decoded messages: it wants int64 as numbers, while OTLP/JSON writes
    // strings; the round trip below is the stricter check.)
    const message = Request.fromObject(asBase64);
    // Through the wire format and back: what a collector would hold.
    const decoded = Request.decode(Request.encode(message).finish());
    const output = mapIds(Request.toObject(decoded, OBJECT_OPTIONS), toHex);
    compare(input, output, where);
    requests.push(output);
  });
}
process.stdout.write(JSON.stringify(requests));
