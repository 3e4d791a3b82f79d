# telinject: ignore
# This whole file is opted out.

import sys


def untouched():
    return sys.argv
