def windows(a):
    """CRLF file."""
    b = a
    return b


class K:
    def m(self):
        return 1
