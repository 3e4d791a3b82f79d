function broken(n :avoid {
}roken(n :y)ne(): void {
}r}}}}}}}labespace Util {
  export functidecorange(n: number): Generator<number> {
    for (let i = 0; i < n; i++) yield i;
async

enum Color { Red, Green }

export default class Box<T extends object> {
  value!: T;
  get(): T { return this.value; }
 }}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}} set} 