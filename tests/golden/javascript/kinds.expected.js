// Every kind of function in a CommonJS file.
const _telinject = require("./telinject_runtime.cjs"); const path = require('path');

function declared(a, b = 2, ...rest) { const _telinject_span = _telinject.enter("kinds.declared", "function"); try {
  return a + b + rest.length;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

const expression = function (x) { const _telinject_span = _telinject.enter("kinds.expression", "function"); try {
  return x;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } };

const named = function inner(x) { const _telinject_span = _telinject.enter("kinds.inner", "function"); try {
  return x ? inner(x - 1) : 0;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } };

const arrowBlock = (a) => { const _telinject_span = _telinject.enter("kinds.arrowBlock", "function"); try {
  const doubled = a * 2;
  return doubled;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } };

const arrowExpression = a => {/* telinject: expression body */ const _telinject_span = _telinject.enter("kinds.arrowExpression", "function"); try { return a * 2; } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); }};
const arrowObject = () => {/* telinject: expression body */ const _telinject_span = _telinject.enter("kinds.arrowObject", "function"); try { return ({ ok: true }); } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); }};
const arrowMultiline = (a, b) =>
  {/* telinject: expression body */ const _telinject_span = _telinject.enter("kinds.arrowMultiline", "function"); try { return a +
  b; } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); }};

function* generator() { const _telinject_span = _telinject.enter("kinds.generator", "generator"); try {
  yield 1;
  yield 2;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

async function asyncFunction() { const _telinject_span = _telinject.enter("kinds.asyncFunction", "async_function"); try {
  await null;
  return 1;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

const asyncArrow = async () => { const _telinject_span = _telinject.enter("kinds.asyncArrow", "async_function"); try {
  await null;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } };

async function* asyncGenerator() { const _telinject_span = _telinject.enter("kinds.asyncGenerator", "async_generator"); try {
  yield await 1;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

class Base {
  constructor(value) { const _telinject_span = _telinject.enter("kinds.Base.constructor", "function"); try {
    this.value = value;
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

  static create(value) { const _telinject_span = _telinject.enter("kinds.Base.create", "function"); try {
    return new Base(value);
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

  get doubled() { const _telinject_span = _telinject.enter("kinds.Base.doubled", "function"); try {
    return this.value * 2;
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

  set doubled(v) { const _telinject_span = _telinject.enter("kinds.Base.doubled", "function"); try {
    this.value = v / 2;
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

  *[Symbol.iterator]() { const _telinject_span = _telinject.enter("kinds.Base.[Symbol.iterator]", "generator"); try {
    yield this.value;
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

  async load() { const _telinject_span = _telinject.enter("kinds.Base.load", "async_function"); try {
    return this.value;
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

  #secret() { const _telinject_span = _telinject.enter("kinds.Base.#secret", "function"); try {
    return 42;
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

  handler = (event) => { const _telinject_span = _telinject.enter("kinds.Base.handler", "function"); try {
    return event.type;
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } };
}

class Derived extends Base {
  constructor(value) {
    super(value);
    const _telinject_span = _telinject.enter("kinds.Derived.constructor", "function"); try { this.extra = true;
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }
}

class DerivedNoSemicolon extends Base {
  constructor(value) {
    super(value)
    const _telinject_span = _telinject.enter("kinds.DerivedNoSemicolon.constructor", "function"); try { this.extra = true
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }
}

const object = {
  method() { const _telinject_span = _telinject.enter("kinds.object.method", "function"); try {
    return 1;
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } },
  property: function () { const _telinject_span = _telinject.enter("kinds.object.property", "function"); try {
    return 2;
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } },
  arrow: () => {/* telinject: expression body */ const _telinject_span = _telinject.enter("kinds.object.arrow", "function"); try { return 3; } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); }},
  'quoted key': function () { const _telinject_span = _telinject.enter("kinds.object.quoted key", "function"); try {
    return 4;
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } },
};

function outer() { const _telinject_span = _telinject.enter("kinds.outer", "function"); try {
  function nested() { const _telinject_span = _telinject.enter("kinds.outer.nested", "function"); try {
    return 1;
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }
  return [1, 2].map(function (n) { const _telinject_span = _telinject.enter("kinds.outer.map callback", "function"); try {
    return n + nested();
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } });
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

exports.exported = function () { const _telinject_span = _telinject.enter("kinds.exports.exported", "function"); try {
  return 1;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } };

module.exports.method = function () { const _telinject_span = _telinject.enter("kinds.module.exports.method", "function"); try {
  return 2;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } };

Base.prototype.extra = function () { const _telinject_span = _telinject.enter("kinds.Base.prototype.extra", "function"); try {
  return this.value;
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } };

function empty() {}

const noop = () => {};

setTimeout(() => { const _telinject_span = _telinject.enter("kinds.setTimeout callback", "function"); try {
  outer();
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }, 0);
