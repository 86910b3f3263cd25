"""What the example scripts share: a figure's ``--output`` and ``--overwrite``, and writing it
as the commands do — atomically, and never over an existing file unless asked.

    >>> import argparse
    >>> ap = argparse.ArgumentParser()
    >>> figure_arguments(ap, "torque_vs_angle.png")
    >>> ap.parse_args([]).output
    PosixPath('torque_vs_angle.png')
"""

from __future__ import annotations

import sys
from pathlib import Path


def figure_arguments(parser, default: str) -> None:
    """Add ``-o``/``--output`` (a PNG; default ``default`` in the current directory) and
    ``--overwrite`` to an example's ``argparse`` parser; its ``parse_args`` then refuses an
    existing output without ``--overwrite`` before any work (:func:`refuse_existing`)."""
    parser.add_argument("-o", "--output", type=Path, default=Path(default),
                        help=f"figure file, PNG [default: {default}]")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace an existing --output")
    parse = parser.parse_args

    def parse_args(*args, **kwargs):
        parsed = parse(*args, **kwargs)
        refuse_existing(parsed)
        return parsed

    parser.parse_args = parse_args


def refuse_existing(args) -> None:
    """An existing ``args.output`` without ``args.overwrite``: one line on stderr and exit
    status 2, as the commands do (the file is kept)."""
    path = Path(args.output)
    if path.exists() and not getattr(args, "overwrite", False):
        print(f"error: {path} exists (the figure, -o/--output): pass --overwrite to replace "
              "it, or name another file with -o", file=sys.stderr)
        raise SystemExit(2)


def save_figure(fig, args, **options) -> Path:
    """Write ``fig`` to ``args.output`` (:func:`~spincaloric.io.plotting.save_png`, atomically,
    parent directories created) and return the path; an existing file is kept without
    ``args.overwrite`` (:func:`refuse_existing`)."""
    from .plotting import save_png

    refuse_existing(args)
    path = Path(args.output)
    save_png(fig, path, make_dirs=True, **options)
    return path
