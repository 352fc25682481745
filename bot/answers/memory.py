"""Giving memory the process no longer uses back to the system.

glibc keeps freed heap memory for reuse; after loading (the model file parsed, the store read)
and after a burst of questions it holds tens of MB the bot will not need again soon.
"""

from __future__ import annotations


def release_free_memory() -> None:
    """Give memory freed by the C heap back to the system (glibc only; elsewhere a no-op)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
