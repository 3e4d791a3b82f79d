"""The whole Go standard library of this machine through instrument, gofmt, a second run and
remove (see test_go.py, which runs a fixed sample of it). Labelled slow."""
import unittest

from test_go import GO, GOFMT, stdlib_round_trip


@unittest.skipUnless(GO and GOFMT, "no Go toolchain")
class GoStandardLibrary(unittest.TestCase):
    def test_round_trip(self):
        stdlib_round_trip(self)


if __name__ == "__main__":
    unittest.main()
