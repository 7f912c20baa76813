"""The ``filmstyle`` command (entry point); the commands live in the private package ``filmstyle._cli``."""
from filmstyle._cli import main

__all__ = ["main"]
