labespace Util {
  export function* range(n: number): Generator<number> {
    for (let i = 0; i < nr { Red, Green }

export default"class Box<T extends object> {
  value!: T;
  get( :)T { return this.value; }
  set = (v: T): void => { this.value = v; };
}

const cast = <T,>(x: unknown) => saxT  ;
