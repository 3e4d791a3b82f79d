// What instrumentation must keep: this, arguments, new.target, return and thrown values,
// length and name, hoisting, super, generators, async. Prints one JSON line of observations;
// the test compares it before and after instrumentation.
'use strict';
const results = {};

function hoisted() {
  return early();
  function early() {
    return 'hoisted inner';
  }
}
results.hoisted = hoisted();
results.calledBeforeDeclaration = later();
function later() {
  return 'later';
}

function lengthAndName(a, b, c = 1, ...rest) {
  return rest.length;
}
results.length = lengthAndName.length;
results.name = lengthAndName.name;
const arrowName = (x, y) => x + y;
results.arrow = [arrowName.name, arrowName.length, arrowName(2, 3)];

function useArguments() {
  return Array.from(arguments).join(',') + ':' + arguments.length;
}
results.arguments = useArguments(1, 2, 3);

function Constructed(value) {
  if (!new.target) return 'called without new';
  this.value = value;
  this.target = new.target === Constructed;
}
results.newTarget = [Constructed(1), new Constructed(2).target, new Constructed(3).value];

const holder = {
  value: 7,
  method() {
    return this.value;
  },
  arrowInside() {
    const read = () => this.value * 2;
    return read();
  },
};
results.thisBinding = [holder.method(), holder.arrowInside(), holder.method.call({ value: 9 })];

class Base {
  constructor(x) {
    this.x = x;
  }
  describe() {
    return 'base ' + this.x;
  }
  static make() {
    return new this(1);
  }
  get doubled() {
    return this.x * 2;
  }
  set doubled(v) {
    this.x = v / 2;
  }
}
class Derived extends Base {
  field = () => this.x + 100;
  constructor(x) {
    super(x);
    this.y = x + 1;
  }
  describe() {
    return 'derived ' + super.describe();
  }
}
const d = Derived.make();
d.doubled = 10;
results.classes = [d.describe(), d.doubled, d.y, d.field(), d instanceof Base];

class Thrown extends Error {}
const thrownValue = new Thrown('boom');
function throws() {
  throw thrownValue;
}
try {
  throws();
} catch (e) {
  results.sameThrown = e === thrownValue;
}
function throwsPrimitive() {
  throw 42;
}
try {
  throwsPrimitive();
} catch (e) {
  results.primitive = e;
}

function finallyReturn() {
  try {
    return 'try';
  } finally {
    results.finallyRan = true;
  }
}
results.finallyReturn = finallyReturn();

function* numbers(n) {
  for (let i = 0; i < n; i++) yield i;
  return 'done';
}
const it = numbers(3);
results.generator = [...numbers(3)];
it.next();
results.generatorReturn = it.return('early');

const objectArrow = () => ({ a: 1 });
results.objectArrow = objectArrow();

async function asyncWork(x) {
  await null;
  if (x < 0) throw new RangeError('negative');
  return x * 2;
}
async function* asyncNumbers() {
  yield 1;
  await null;
  yield 2;
}

(async () => {
  results.async = await asyncWork(4);
  try {
    await asyncWork(-1);
  } catch (e) {
    results.asyncError = e instanceof RangeError;
  }
  const collected = [];
  for await (const n of asyncNumbers()) collected.push(n);
  results.asyncGenerator = collected;
  console.log(JSON.stringify(results));
})();
