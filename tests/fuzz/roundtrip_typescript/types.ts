import { readFileSync } from 'fs';

export interface Shape {
  area(): number;
}

export function id<T>(value: T): T {
  return value;
}

export abstract class Base implements Shape {
  constructor(private readonly size: number) {}
  abstract kind(): string;
  area(): number {
    return this.size * this.size;
  }
  protected async load(file: string): Promise<string> {
    return readFileSync(file, 'utf8');
  }
}

export const typed = (a: number, b?: string): string => {
  return `${a}${b ?? ''}`;
};

declare function ambient(x: number): void;
function overload(x: string): string;
function overload(x: number): number;
function overload(x: any): any {
  return x;
}
