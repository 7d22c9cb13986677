"""deflect: a guided, resumable planning wizard for deflection and pre-arrest diversion programs."""

__version__ = "0.1.0"
