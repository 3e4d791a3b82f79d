'use strict';
const path = require('path');

function plain(a, b = 1) {
  return a + b;
}

async function load(file) {
  const text = await read(path.join('.', file));
  return text;
}

function* numbers() {
  yield 1;
  yield* [2, 3];
}

const arrow = (x) => x * 2;
const block = async (x) => {
  return x;
};

module.exports = { plain, load, numbers, arrow, block };
