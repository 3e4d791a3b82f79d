// TypeScript with types: signatures, overloads, generics, abstract and parameter properties.
import * as _telinject from "./telinject_runtime.cjs"; import { EventEmitter } from 'events';

export interface Shape {
  area(): number;
}

export function format(value: string): string;
export function format(value: number): string;
export function format(value: string | number): string { const _telinject_span = _telinject.enter("types.format", "function"); try {
  return String(value);
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

export const identity = <T,>(value: T): T => {/* telinject: expression body */ const _telinject_span = _telinject.enter("types.identity", "function"); try { return value; } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); }};

export abstract class Base<T> {
  abstract describe(): string;
  protected constructor(protected readonly value: T) {}

  get current(): T { const _telinject_span = _telinject.enter("types.Base.current", "function"); try {
    return this.value;
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }
}

export class Circle extends Base<number> implements Shape {
  private cache = new Map<string, number>();
  readonly kind = 'circle' as const;

  constructor(radius: number, private readonly label?: string) {
    super(radius);
    const _telinject_span = _telinject.enter("types.Circle.constructor", "function"); try { this.cache.set('r', radius);
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

  describe(): string { const _telinject_span = _telinject.enter("types.Circle.describe", "function"); try {
    return `${this.label ?? 'circle'} ${this.value}`;
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

  area(): number { const _telinject_span = _telinject.enter("types.Circle.area", "function"); try {
    return Math.PI * this.value ** 2;
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

  static unit(): Circle { const _telinject_span = _telinject.enter("types.Circle.unit", "function"); try {
    return new Circle(1);
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

  async *points(count: number): AsyncGenerator<[number, number]> { const _telinject_span = _telinject.enter("types.Circle.points", "async_generator"); try {
    for (let i = 0; i < count; i++) yield [i, i];
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

  private onEvent = (event: { type: string }): string => {/* telinject: expression body */ const _telinject_span = _telinject.enter("types.Circle.onEvent", "function"); try { return event.type; } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); }};
}

export function assertNever(value: never): never { const _telinject_span = _telinject.enter("types.assertNever", "function"); try {
  throw new Error(`unexpected ${String(value)}`);
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

export function isString(value: unknown): value is string { const _telinject_span = _telinject.enter("types.isString", "function"); try {
  return typeof value === 'string';
} catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }

namespace Geometry {
  export function distance(a: number, b: number): number { const _telinject_span = _telinject.enter("types.Geometry.distance", "function"); try {
    return Math.abs(a - b);
  } catch (_telinject_error) { _telinject_span.fail(_telinject_error); throw _telinject_error; } finally { _telinject_span.exit(); } }
}

declare function ambient(x: number): void;

export class Emitter extends EventEmitter {
  constructor() {
    super();
  }
}
