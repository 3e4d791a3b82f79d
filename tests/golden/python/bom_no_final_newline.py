"""BOM file."""


def bom():
    return 1