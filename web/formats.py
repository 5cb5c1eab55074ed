"""How the product writes a running time, the same on every page, message and email."""

from __future__ import annotations


def clock(seconds: float | None) -> str:
    """An exact running time, m:ss (h:mm:ss from an hour on): 30 s reads 0:30, 71 s 1:11,
    7,220 s 2:00:20. Digits and colons read the same in every product language."""
    if seconds is None:
        return ""
    whole = max(0, round(float(seconds)))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
