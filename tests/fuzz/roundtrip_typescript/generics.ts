namespace Util {
  export function* range(n: number): Generator<number> {
    for (let i = 0; i < n; i++) yield i;
  }
}

enum Color { Red, Green }

export default class Box<T extends object> {
  value!: T;
  get(): T { return this.value; }
  set = (v: T): void => { this.value = v; };
}

const cast = <T,>(x: unknown) => x as T;
