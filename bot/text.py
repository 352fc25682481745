"""Plain text that every layer writes: what the user typed, quoted back in a message (the CE
parsing's errors, the handlers' replies).

Imports nothing of ours.
"""

from __future__ import annotations


def quote_input(text: str, limit: int = 40) -> str:
    """What the user typed, quoted back in a message: a short prefix, never the whole thing."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
