import fs from 'node:fs';

export class Store {
  #items = new Map();
  constructor(name) {
    this.name = name;
  }
  get size() {
    return this.#items.size;
  }
  static create() { return new Store('x'); }
  async *entries() {
    for (const e of this.#items) yield e;
  }
}

export default function main() {
  const handler = function named() {
    return fs.existsSync('a');
  };
  return [1, 2].map((v) => { return v + 1; }).concat(handler());
}
