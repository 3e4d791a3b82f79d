function broken(a: number {
  return a;
}
function fine(): void {
}
