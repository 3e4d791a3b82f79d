def opened(x):
    return x
