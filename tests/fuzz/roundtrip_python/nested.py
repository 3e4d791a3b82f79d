def outer(x):
    def middle(y):
        def inner(z):
            return x + y + z
        return inner
    squares = [lambda v: v * v for _ in range(2)]
    return middle(x), squares


def doc_only():
    """Only a docstring."""


def text():
    return """first
second
    third"""


if True:
    def conditional(a,
                    b):
        pass  # telinject: ignore
