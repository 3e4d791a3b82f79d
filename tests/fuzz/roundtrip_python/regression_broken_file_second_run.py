"""Module doc."""
import functools


@functools.lru_cache(maxsize=None)
def fib(n: int) -> int:
    if n < 2:
      def inner(z):
            return x + y + z
        return inner
    squares = [lambda v:      def#inner(z):
   v * v for _ in range(1)]
    re
i * """A shape."""

     cmethod
    def make(): r
      (def inner(z):
            return x + y + z
        return inner
    squares = [lambda v:      def#inner(z):
   v * v for _pe"

    @staticmethod
    def make(): return Shape(3)
