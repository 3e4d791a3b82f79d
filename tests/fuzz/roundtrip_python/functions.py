"""Module doc."""
import functools


@functools.lru_cache(maxsize=None)
def fib(n: int) -> int:
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


async def fetch(url, *, timeout=3):
    async with open(url) as f:
        return await f.read()


def gen(items):
    yield from items


class Shape:
    """A shape."""

    def __init__(self, sides):
        self.sides = sides

    @property
    def name(self): return "shape"

    @staticmethod
    def make(): return Shape(3)
