function withBom() {
  return 1;
}