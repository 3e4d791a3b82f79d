#!/usr/bin/env node
'use strict';
// The file's "use strict" stays first; the import goes after it.

const _telinject = require("./telinject_runtime.cjs"); function strictInside() {
  'use strict';
  const _telinject_span = _telinject.enter("directives.strictInside", "function"); try { return this;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

function directiveNoSemicolon() {
  "use strict"
  const _telinject_span = _telinject.enter("directives.directiveNoSemicolon", "function"); try { return 1;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

module.exports = { strictInside, directiveNoSemicolon };
