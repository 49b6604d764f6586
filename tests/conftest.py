"""Hypothesis profiles: the same examples on every machine by default, more on request.

``ci`` (the default) is derandomised: every run draws the same examples, so the README's
test command gives the same result everywhere, and a failure it reports can be rerun.
``dev`` explores: new random examples each run, many more of them, and Hypothesis's
example database keeps what it found. Run it with::

    HYPOTHESIS_PROFILE=dev .venv/bin/pytest tests/test_modelfile.py tests/test_data_properties.py

Every failure ``dev`` finds becomes an explicit regression test next to the property.
The property tests therefore set no ``max_examples`` and no ``derandomize`` of their own.
"""

import os

from hypothesis import settings

settings.register_profile(
    "ci", derandomize=True, database=None, max_examples=50, deadline=None, print_blob=True,
)
settings.register_profile("dev", max_examples=2000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# --doctest-modules would import this file as the module "conftest", a name docs/conftest.py
# already holds (neither folder is a package), and fail on the clash; it has no doctests.
collect_ignore = ["conftest.py"]
