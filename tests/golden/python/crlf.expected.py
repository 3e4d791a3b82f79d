import telinject_runtime as _telinject  # isort: skip
def windows(a):
    """CRLF file."""
    with _telinject.span("crlf.windows"):
        b = a
        return b


class K:
    def m(self):
        with _telinject.span("crlf.K.m"):
            return 1
