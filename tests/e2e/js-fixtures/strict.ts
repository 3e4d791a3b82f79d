// TypeScript that exercises what `tsc --strict` is picky about around instrumented bodies:
// derived constructors with initialized and parameter properties (super() must stay a root
// statement), never-returning functions, type predicates, overloads, generics, getters,
// generators and async functions, definite assignment and implicit returns.
export class Base {
  constructor(public readonly id: number) {}
}

export class Derived extends Base {
  private readonly tags: string[] = [];
  #secret = 1;

  constructor(id: number, private readonly label: string) {
    super(id);
    this.tags.push(label);
  }

  get summary(): string {
    return `${this.id}:${this.label}:${this.tags.length}:${this.#secret}`;
  }
}

export function fail(message: string): never {
  throw new Error(message);
}

export function isNumber(value: unknown): value is number {
  return typeof value === 'number';
}

export function pick(value: string): string;
export function pick(value: number): number;
export function pick(value: string | number): string | number {
  return value;
}

export const first = <T,>(items: readonly T[]): T | undefined => items[0];

export function definite(flag: boolean): number {
  let result: number;
  if (flag) {
    result = 1;
  } else {
    result = 2;
  }
  return result;
}

export function* range(n: number): Generator<number, string, void> {
  for (let i = 0; i < n; i++) yield i;
  return 'done';
}

export async function later(x: number): Promise<number> {
  await Promise.resolve();
  return x + 1;
}

export function exhaustive(kind: 'a' | 'b'): number {
  switch (kind) {
    case 'a':
      return 1;
    case 'b':
      return 2;
  }
}

const derived = new Derived(3, 'x');
const checks = [
  derived.summary,
  isNumber(4),
  pick('s'),
  first([5, 6]),
  definite(false),
  [...range(3)].join(','),
];
later(1).then((value) => {
  (globalThis as unknown as { console: { log(text: string): void } }).console.log(
    JSON.stringify([...checks, value]),
  );
});
