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


def keep_loaded_objects() -> None:
    """Set aside from garbage collection every object alive now: the loaded engine (passages,
    vectors, regexes, the language model: several hundred thousand objects) lives as long as
    the process. The collector no longer walks them in each full collection while questions
    are answered, nor once more when the process exits (a quarter of a second on 2 cores for
    a one-question ``ask``). Garbage made while loading is collected first, so none is kept;
    what is made later is collected as usual."""
    import gc

    gc.collect()
    gc.freeze()
