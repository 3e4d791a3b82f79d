#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# A license header comment.
import telinject_runtime as _telinject  # isort: skip
import os


def one_liner():
    with _telinject.span("layout.one_liner"): return 1
def one_liner_two(x):
    with _telinject.span("layout.one_liner_two"): y = x; return y


def with_comments(x):
    # leading comment
    with _telinject.span("layout.with_comments"):
        y = x + 1  # trailing comment

        # comment between statements
        return y
    # trailing comment after the body


def multiline_strings(name):
    """Docstring
    spanning lines."""
    with _telinject.span("layout.multiline_strings"):
        text = """first
second line at column zero
    indented line"""
        other = f"""{name}
{text}"""
        return text + other


def continuation(a,
                 b):
    with _telinject.span("layout.continuation"):
        total = (a +
                 b)
        value = a + \
            b
        return total, value


def compound(items):
    with _telinject.span("layout.compound"):
        for item in items:
            if item:
                continue
            else:
                break
        try:
            pass
        except ValueError:
            raise
        finally:
            items = None
        with open(os.devnull) as handle:
            handle.read()
        while False:
            pass
        return items


def docstring_then_code():
    '''Single quotes.'''
    with _telinject.span("layout.docstring_then_code"):
        return 0


def unicode_name_é(ß):
    with _telinject.span("layout.unicode_name_é"):
        return "naïve ☃"
