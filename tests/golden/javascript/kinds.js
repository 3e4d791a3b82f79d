// Every kind of function in a CommonJS file.
const path = require('path');

function declared(a, b = 2, ...rest) {
  return a + b + rest.length;
}

const expression = function (x) {
  return x;
};

const named = function inner(x) {
  return x ? inner(x - 1) : 0;
};

const arrowBlock = (a) => {
  const doubled = a * 2;
  return doubled;
};

const arrowExpression = a => a * 2;
const arrowObject = () => ({ ok: true });
const arrowMultiline = (a, b) =>
  a +
  b;

function* generator() {
  yield 1;
  yield 2;
}

async function asyncFunction() {
  await null;
  return 1;
}

const asyncArrow = async () => {
  await null;
};

async function* asyncGenerator() {
  yield await 1;
}

class Base {
  constructor(value) {
    this.value = value;
  }

  static create(value) {
    return new Base(value);
  }

  get doubled() {
    return this.value * 2;
  }

  set doubled(v) {
    this.value = v / 2;
  }

  *[Symbol.iterator]() {
    yield this.value;
  }

  async load() {
    return this.value;
  }

  #secret() {
    return 42;
  }

  handler = (event) => {
    return event.type;
  };
}

class Derived extends Base {
  constructor(value) {
    super(value);
    this.extra = true;
  }
}

class DerivedNoSemicolon extends Base {
  constructor(value) {
    super(value)
    this.extra = true
  }
}

const object = {
  method() {
    return 1;
  },
  property: function () {
    return 2;
  },
  arrow: () => 3,
  'quoted key': function () {
    return 4;
  },
};

function outer() {
  function nested() {
    return 1;
  }
  return [1, 2].map(function (n) {
    return n + nested();
  });
}

exports.exported = function () {
  return 1;
};

module.exports.method = function () {
  return 2;
};

Base.prototype.extra = function () {
  return this.value;
};

function empty() {}

const noop = () => {};

setTimeout(() => {
  outer();
}, 0);
