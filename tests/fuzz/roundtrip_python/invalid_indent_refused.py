"""Module doc."""
i * """A shape."""

     cmethod
    def make(): r
        tcmethod
    def make(): return Shape(3)
