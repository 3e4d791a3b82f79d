// An ES module: the import comes from the .mjs helper.
import { readFile } from 'node:fs/promises';

export default function () {
  return 'default';
}

export function named(a) {
  return a;
}

export const loader = async (file) => {
  const text = await readFile(file, 'utf8');
  return text.length;
};

export class Service {
  async *items() {
    yield 1;
  }
}
