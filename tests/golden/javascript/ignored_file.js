// telinject: ignore

function notInstrumented() {
  return 1;
}
