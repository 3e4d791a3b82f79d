package crlf;

class Crlf {
  int f(int x) { telinject.Telinject.Span _telinject_span = telinject.Telinject.span("crlf.Crlf.f", "crlf.java", 4); try {
    return x + 1;
  } catch (Throwable _telinject_error) { _telinject_span.error(_telinject_error); throw _telinject_error; } finally { _telinject_span.end(); } }
}
