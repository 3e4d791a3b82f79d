"""Makes a generated monorepo: this machine's Python standard library (as bench/run.sh picks it:
without site-packages, dist-packages and __pycache__) copied N times, each copy a package of its
own (stdlib_00/, stdlib_01/, ... with an __init__.py), so that every copy's functions have
qualified names of their own and nothing is shared through the script cache. N=60 gives ~107,000
Python files (1,790 per copy on Python 3.11).

usage: python3 bench/make_monorepo.py N DEST [--link]

--link hard-links the files of every copy to one first copy instead of copying them (seconds
instead of minutes; fine for runs that write a mirror with -o, since telinject never writes
through a source file; an in-place run needs real copies)."""
import argparse
import os
import shutil
import sys
import sysconfig


def stdlib_dir():
    return sysconfig.get_paths()["stdlib"]


def make(copies, dest, link):
    if os.path.exists(dest):
        sys.exit(f"make_monorepo: {dest} exists; remove it first")
    os.makedirs(dest)
    ignore = shutil.ignore_patterns("site-packages", "dist-packages", "__pycache__")
    first = None
    for index in range(copies):
        package = os.path.join(dest, f"stdlib_{index:02d}")
        if link and first is not None:
            shutil.copytree(first, package, symlinks=True, copy_function=os.link)
        else:
            shutil.copytree(stdlib_dir(), package, symlinks=True, ignore=ignore)
            first = package
        # Its own package name: the top-level modules become stdlib_NN.os, stdlib_NN.json...
        init = os.path.join(package, "__init__.py")
        if os.path.exists(init):
            os.unlink(init)  # a link to the first copy's
        with open(init, "w", encoding="utf-8") as handle:
            handle.write(f'"""Copy {index} of the standard library."""\n')
    return dest


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("copies", type=int)
    parser.add_argument("dest")
    parser.add_argument("--link", action="store_true", help="hard-link the copies to the first")
    args = parser.parse_args()
    make(args.copies, args.dest, args.link)
    count = sum(name.endswith(".py") for _, _, names in os.walk(args.dest) for name in names)
    print(f"{args.dest}: {args.copies} copies, {count} .py files")


if __name__ == "__main__":
    main()
