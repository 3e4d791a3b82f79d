def fine(x):
    return x


def broken(x:
    return x +


def also_fine():
    return 2
