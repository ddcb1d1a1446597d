"""Tools for running Stillpoint on a developer's machine; never part of the installed app.

pyproject's package list leaves this package out: run its modules from the checkout
(`python -m devtools.<module>`), as the Makefile and the test suite do.
"""
