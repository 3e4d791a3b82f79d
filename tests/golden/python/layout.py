#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# A license header comment.
import os


def one_liner(): return 1
def one_liner_two(x): y = x; return y


def with_comments(x):
    # leading comment
    y = x + 1  # trailing comment

    # comment between statements
    return y
    # trailing comment after the body


def multiline_strings(name):
    """Docstring
    spanning lines."""
    text = """first
second line at column zero
    indented line"""
    other = f"""{name}
{text}"""
    return text + other


def continuation(a,
                 b):
    total = (a +
             b)
    value = a + \
        b
    return total, value


def compound(items):
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
    return 0


def unicode_name_é(ß):
    return "naïve ☃"
