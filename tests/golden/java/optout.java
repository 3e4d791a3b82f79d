// Opt-out comments, as in the other languages.
class OptOut {
  // telinject: ignore
  void skipped() {
    work();
  }

  void kept() { // telinject: ignore
    work();
  }

  void instrumented() {
    work();
  }

  void work() {
    System.out.println("work");
  }
}
