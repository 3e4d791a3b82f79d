// A small project for the TypeScript compiler to compile: classes, generics, enums,
// decorators-free but with enough checking to produce one type error on purpose.
export enum Kind {
  Circle = 'circle',
  Square = 'square',
}

export interface Shape {
  kind: Kind;
  area(): number;
}

export class Circle implements Shape {
  readonly kind = Kind.Circle;
  constructor(private readonly radius: number) {}
  area(): number {
    return Math.PI * this.radius ** 2;
  }
}

export class Square implements Shape {
  readonly kind = Kind.Square;
  constructor(private readonly side: number) {}
  area(): number {
    return this.side * this.side;
  }
}

export function largest<T extends Shape>(shapes: readonly T[]): T | undefined {
  return [...shapes].sort((a, b) => b.area() - a.area())[0];
}

export async function* areas(shapes: Iterable<Shape>): AsyncGenerator<number> {
  for (const shape of shapes) yield shape.area();
}

// The intended error: a string is not a number.
export const wrong: number = 'not a number';
