"""Every kind of function the extractor must find."""
from __future__ import annotations
import telinject_runtime as _telinject  # isort: skip

import functools
from typing import overload


def plain(a, b=2, *args, **kwargs):
    with _telinject.span("kinds.plain"):
        return a + b


async def coroutine(x):
    with _telinject.span("kinds.coroutine"):
        await helper(x)
        return x


def generator(n):
    with _telinject.span("kinds.generator", generator=True):
        for i in range(n):
            yield i


async def async_generator(n):
    with _telinject.span("kinds.async_generator", generator=True):
        for i in range(n):
            yield i


def uses_lambda_with_yield_free_body():
    with _telinject.span("kinds.uses_lambda_with_yield_free_body"):
        key = lambda item: item[0]
        return sorted([(2, "b"), (1, "a")], key=key)


@functools.lru_cache(maxsize=None)
def decorated(n):
    with _telinject.span("kinds.decorated"):
        return n * 2


@overload
def parse(value: int) -> int: ...
@overload
def parse(value: str) -> str: ...
def parse(value):
    with _telinject.span("kinds.parse"):
        return value


class Shape:
    """A class with every method kind."""

    def __init__(self, sides):
        with _telinject.span("kinds.Shape.__init__"):
            super().__init__()
            self.sides = sides

    @property
    def count(self):
        with _telinject.span("kinds.Shape.count"):
            return self.sides

    @count.setter
    def count(self, value):
        with _telinject.span("kinds.Shape.count"):
            self.sides = value

    @staticmethod
    def unit():
        with _telinject.span("kinds.Shape.unit"):
            return Shape(1)

    @classmethod
    def triangle(cls):
        with _telinject.span("kinds.Shape.triangle"):
            return cls(3)

    def stub(self):
        ...

    def abstract(self):
        """Only a docstring."""

    class Inner:
        def method(self):
            with _telinject.span("kinds.Shape.Inner.method"):
                return "inner"


def outer(x):
    with _telinject.span("kinds.outer"):
        def inner(y):
            with _telinject.span("kinds.outer.<locals>.inner"):
                def innermost(z):
                    with _telinject.span("kinds.outer.<locals>.inner.<locals>.innermost"):
                        return z
                return innermost(y)
        return inner(x)


def helper(x):
    with _telinject.span("kinds.helper"):
        return x


if __name__ == "__main__":
    print(plain(1))
