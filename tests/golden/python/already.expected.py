import telinject_runtime as _telinject  # isort: skip


def done():
    with _telinject.span("already.done"):
        return 1


def added_later():
    with _telinject.span("already.added_later"):
        return 2
