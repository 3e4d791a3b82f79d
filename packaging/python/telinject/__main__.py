"""`python -m telinject ARGS`: runs the telinject binary with ARGS, in place of this process."""
import os
import sys

from telinject import find_binary


def main() -> None:
    try:
        binary = find_binary("telinject")
    except FileNotFoundError as error:
        sys.exit(f"telinject: {error}")
    os.execv(binary, [binary, *sys.argv[1:]])


if __name__ == "__main__":
    main()
