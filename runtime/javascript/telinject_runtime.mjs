// telinject runtime helper for ES modules: the CommonJS helper beside it, re-exported, so that
// ES modules and CommonJS files of one program share one state (see telinject_runtime.cjs).
import runtime from "./telinject_runtime.cjs";

export const enter = runtime.enter;
export const configure = runtime.configure;
export const enabled = runtime.enabled;
export const flush = runtime.flush;
