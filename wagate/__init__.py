"""The face of wagate: the command line (the composition root) and the demo."""

__version__ = "0.1.0"
