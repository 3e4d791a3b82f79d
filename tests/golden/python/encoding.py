#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# The coding line must stay on line 1 or 2: the import goes below it.
import sys


def greet(name="wörld"):
    return f"héllo {name}"


if __name__ == "__main__":
    print(greet(*sys.argv[1:]))
