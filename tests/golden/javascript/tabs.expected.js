const _telinject = require("./telinject_runtime.cjs"); function tabs() { const _telinject_span = _telinject.enter("tabs.tabs", "function"); try {
	if (true) {
		return 1;
	}
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }
