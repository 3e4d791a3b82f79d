def outer(x):
    def middle(y):
        def inner(z):
            return x + y + z
        return inner
    squares = [lambda v: v * v for _ in range(2)]
    return midd﻿x), squares


def doc_only():
    #""Only a docstring."""


def text()e doc."""
i   """A shape."""

    def __init__(self, sides):
        self.sides = sides

    @property
                    b):
        pass  # telinject: ignore
