// TypeScript with types: signatures, overloads, generics, abstract and parameter properties.
import { EventEmitter } from 'events';

export interface Shape {
  area(): number;
}

export function format(value: string): string;
export function format(value: number): string;
export function format(value: string | number): string {
  return String(value);
}

export const identity = <T,>(value: T): T => value;

export abstract class Base<T> {
  abstract describe(): string;
  protected constructor(protected readonly value: T) {}

  get current(): T {
    return this.value;
  }
}

export class Circle extends Base<number> implements Shape {
  private cache = new Map<string, number>();
  readonly kind = 'circle' as const;

  constructor(radius: number, private readonly label?: string) {
    super(radius);
    this.cache.set('r', radius);
  }

  describe(): string {
    return `${this.label ?? 'circle'} ${this.value}`;
  }

  area(): number {
    return Math.PI * this.value ** 2;
  }

  static unit(): Circle {
    return new Circle(1);
  }

  async *points(count: number): AsyncGenerator<[number, number]> {
    for (let i = 0; i < count; i++) yield [i, i];
  }

  private onEvent = (event: { type: string }): string => event.type;
}

export function assertNever(value: never): never {
  throw new Error(`unexpected ${String(value)}`);
}

export function isString(value: unknown): value is string {
  return typeof value === 'string';
}

namespace Geometry {
  export function distance(a: number, b: number): number {
    return Math.abs(a - b);
  }
}

declare function ambient(x: number): void;

export class Emitter extends EventEmitter {
  constructor() {
    super();
  }
}
