"""deflect: a guided, resumable planning wizard for deflection and pre-arrest diversion programs."""

__version__ = "0.1.0"
# The distribution's name (pyproject.toml); the command is `deflect`, a name another project holds on
# the public package index.
DISTRIBUTION = "deflect-planner"
