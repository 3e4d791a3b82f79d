import telinject_runtime as _telinject  # isort: skip
def fine(x):
    with _telinject.span("syntax_error.fine"):
        return x


def broken(x:
    return x +


def also_fine():
    return 2
