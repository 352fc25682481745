"""Alembic revisions, one file each, named by their revision id (``0001_initial.py``...).

A package only so that installing the bot ships them; Alembic loads them by path."""
