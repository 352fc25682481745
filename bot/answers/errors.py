"""Errors of the answer engine raised in one of its modules and caught in another: here, so
that the modules that raise them (retrieval, embedding) need not import each other.
"""

from __future__ import annotations


class StoreMissingError(RuntimeError):
    """No usable store at CHROMA_PATH: the user must run `python ingest.py`."""
