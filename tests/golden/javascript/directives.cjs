#!/usr/bin/env node
'use strict';
// The file's "use strict" stays first; the import goes after it.

function strictInside() {
  'use strict';
  return this;
}

function directiveNoSemicolon() {
  "use strict"
  return 1;
}

module.exports = { strictInside, directiveNoSemicolon };
