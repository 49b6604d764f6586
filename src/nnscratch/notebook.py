"""``python -m nnscratch.notebook``: the command recorded in ``docs/results/errata.json``.

The reproduction of the notebook now lives in :mod:`nnscratch.experiments` (its pieces in
``reproduction``, the runs and their results file in ``errata``); this module only keeps
the recorded command running.
"""

import sys

from nnscratch.experiments.errata import main

if __name__ == "__main__":
    sys.exit(main())
