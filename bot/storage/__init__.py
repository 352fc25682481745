"""The database: engine and sessions, the tables, the queries of each concern, and the Alembic
migrations (``migrations/``) that own the schema.

May import the domain's pure types and functions (:mod:`bot.ce`, :mod:`bot.career`) and settings.
"""
