"""Every kind of function the extractor must find."""
from __future__ import annotations

import functools
from typing import overload


def plain(a, b=2, *args, **kwargs):
    return a + b


async def coroutine(x):
    await helper(x)
    return x


def generator(n):
    for i in range(n):
        yield i


async def async_generator(n):
    for i in range(n):
        yield i


def uses_lambda_with_yield_free_body():
    key = lambda item: item[0]
    return sorted([(2, "b"), (1, "a")], key=key)


@functools.lru_cache(maxsize=None)
def decorated(n):
    return n * 2


@overload
def parse(value: int) -> int: ...
@overload
def parse(value: str) -> str: ...
def parse(value):
    return value


class Shape:
    """A class with every method kind."""

    def __init__(self, sides):
        super().__init__()
        self.sides = sides

    @property
    def count(self):
        return self.sides

    @count.setter
    def count(self, value):
        self.sides = value

    @staticmethod
    def unit():
        return Shape(1)

    @classmethod
    def triangle(cls):
        return cls(3)

    def stub(self):
        ...

    def abstract(self):
        """Only a docstring."""

    class Inner:
        def method(self):
            return "inner"


def outer(x):
    def inner(y):
        def innermost(z):
            return z
        return innermost(y)
    return inner(x)


def helper(x):
    return x


if __name__ == "__main__":
    print(plain(1))
