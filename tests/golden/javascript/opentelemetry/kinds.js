// Every kind of function under the opentelemetry profile: sync and async (made active through
// context.with over a callback), generators (not made active), expression-bodied arrows, methods,
// a derived constructor, a getter, a static method, a directive, arguments.
"use strict";

function plain(a, b) {
  return a + b;
}

async function fetchLater(url) {
  const response = await fetch(url);
  return response.json();
}

function* numbers(limit) {
  for (let i = 0; i < limit; i++) yield i;
}

async function* pages(client) {
  yield await client.first();
}

const double = (x) => x * 2;

const asyncArrow = async (x) => {
  await null;
  return x;
};

class Base {
  constructor(name) {
    this.name = name;
  }
}

class Derived extends Base {
  constructor(name) {
    super(name);
    this.kind = "derived";
  }

  get label() {
    return this.name + ":" + this.kind;
  }

  static create() {
    return new Derived("made");
  }
}

function strict() {
  "use strict";
  return this;
}

function nested() {
  return [1, 2, 3].map((n) => n + 1).filter(function keep(n) {
    return n > 2;
  });
}

function withArguments() {
  return arguments.length;
}

module.exports = { plain, fetchLater, numbers, pages, double, asyncArrow, Derived, strict, nested, withArguments };
