// Types of the telinject runtime helper (telinject_runtime.mjs), for TypeScript files that
// import it.
export interface Span {
  /** Records that the function ended by throwing `error`. */
  fail(error: unknown): void;
  /** Ends the span and buffers its record (written in blocks, away from the call). */
  exit(): void;
}
/** Starts the span of one call of the function `name`. */
export declare function enter(name: string, kind: string): Span;
/** (Re)reads the settings from the environment (TELINJECT_SAMPLE, TELINJECT_RATE_LIMIT,
 *  TELINJECT_MAX_BYTES, TELINJECT_OUT_FORMAT, TRACEPARENT, OTEL_*); `path` (default:
 *  $TELINJECT_OUT) receives the records. What is buffered for the previous file is written to it
 *  first. */
export declare function configure(options?: { path?: string | null }): void;
/** True when spans are recorded (TELINJECT_OUT or an OTLP exporter is set). */
export declare function enabled(): boolean;
/** Writes the buffered records now, with "dropped" lines for the calls left out so far, and
 *  queues them for OTLP export (OTEL_TRACES_EXPORTER=otlp). */
export declare function flush(): void;
