def good(a):
    return a


def broken(:
    return


def after():
    return 2
