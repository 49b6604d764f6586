"""``python -m nnscratch`` runs the command line."""

import sys

from nnscratch.console import main

sys.exit(main())
