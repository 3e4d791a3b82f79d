// Types of the telinject runtime helper (telinject_runtime.mjs), for TypeScript files that
// import it.
export interface Span {
  /** Records that the function ended by throwing `error`. */
  fail(error: unknown): void;
  /** Ends the span and writes its record. */
  exit(): void;
}
/** Starts the span of one call of the function `name`. */
export declare function enter(name: string, kind: string): Span;
/** (Re)reads the settings; `path` (default: $TELINJECT_OUT) receives the records. */
export declare function configure(options?: { path?: string | null }): void;
/** True when spans are recorded. */
export declare function enabled(): boolean;
/** Records are written unbuffered; kept for symmetry with other runtimes. */
export declare function flush(): void;
