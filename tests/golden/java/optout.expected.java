// Opt-out comments, as in the other languages.
class OptOut {
  // telinject: ignore
  void skipped() {
    work();
  }

  void kept() { // telinject: ignore
    work();
  }

  void instrumented() { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("OptOut.instrumented", "optout.java", 12); try {
    work();
  } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }

  void work() { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("OptOut.work", "optout.java", 16); try {
    System.out.println("work");
  } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }
}
