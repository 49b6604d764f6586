"""The ``nnscratch`` command's entry point: Ctrl-C during start-up is one line too.

The command line (``cli.py``) needs NumPy and pandas, whose imports take a second or more on
a busy machine. A Ctrl-C pressed then would interrupt the import before ``cli.main`` could
catch it, and Python would print a traceback; so the import happens here, inside the
``try``, and the console script and ``python -m nnscratch`` both start here.
"""

import sys


def main(argv: list[str] | None = None) -> int:
    """Import the command line and run it; 130 (128 + SIGINT) if Ctrl-C stops the import."""
    try:
        from nnscratch.cli import main as run
    except KeyboardInterrupt:
        print("nnscratch: interrupted", file=sys.stderr)
        return 130
    return run(argv)
