"""The ``eeo-async`` command: its table of subcommands, input files, journal, jobs and demo.

May import every other wing; nothing imports it.
"""

from .main import main

__all__ = ["main"]
