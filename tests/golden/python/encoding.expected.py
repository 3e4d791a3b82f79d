#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# The coding line must stay on line 1 or 2: the import goes below it.
import telinject_runtime as _telinject  # isort: skip
import sys


def greet(name="wörld"):
    with _telinject.span("encoding.greet"):
        return f"héllo {name}"


if __name__ == "__main__":
    print(greet(*sys.argv[1:]))
