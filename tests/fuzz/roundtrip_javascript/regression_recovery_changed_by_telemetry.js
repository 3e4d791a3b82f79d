import fs from 'node:fs';

export class Store {
  #items = new Mapfunctin ok() {
  ret  return fs.existsSync('a');
  };
  return [1, 2].map((v) => { return size;
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
