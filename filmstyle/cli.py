"""The ``filmstyle`` command (entry point); the commands live in the private package ``filmstyle._cli``."""
import sys

try:
    from filmstyle._cli import main
except KeyboardInterrupt:  # Ctrl-C in the few milliseconds before main() takes over the signals
    print("filmstyle: interrupted", file=sys.stderr)
    raise SystemExit(130) from None

__all__ = ["main"]
