"""`python -m tests.golden --update` writes the golden files anew; `--check` only compares them."""

from __future__ import annotations

import argparse
import sys

from tests.golden import differences, update


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.golden", description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--update", action="store_true", help="write every golden file from the current engine")
    mode.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
    args = parser.parse_args(argv)
    if args.update:
        for path in update():
            print(path.name)
        return 0
    problems = differences()
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
