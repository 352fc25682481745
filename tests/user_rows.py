"""What the database holds about one user, found from the schema rather than from a list.

``user_columns`` walks ``Base.metadata.sorted_tables`` and returns every column that refers to
a user: the users table's primary key, every column with a foreign key to it, and any column
named like a user reference (``user_id``, ``..._user_id``) even without a declared foreign key.
A table added later is covered without anyone remembering to list it, which is the point:
``/forget`` tests compare against this, not against the list ``Storage.forget`` deletes from.
"""

from __future__ import annotations

from sqlalchemy import Column, func, select

from bot.storage.models import Base
from bot.storage.store import Storage


def _refers_to_a_user(column: Column, users) -> bool:
    if column.table is users:
        return column.primary_key
    if any(fk.column.table is users for fk in column.foreign_keys):
        return True
    return column.name == "user_id" or column.name.endswith("_user_id")


def user_columns() -> list[Column]:
    users = Base.metadata.tables["users"]
    return [
        column
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if _refers_to_a_user(column, users)
    ]


async def rows_about(storage: Storage, user_id: int) -> dict[str, int]:
    """``{"table.column": rows where that column is the user}`` for every user column."""
    counts: dict[str, int] = {}
    async with storage.session() as s:
        for column in user_columns():
            counts[f"{column.table.name}.{column.name}"] = (
                await s.execute(select(func.count()).select_from(column.table)
                                .where(column == user_id))
            ).scalar_one()
    return counts


def tables_without_rows(counts: dict[str, int]) -> list[str]:
    """The user columns a test left empty: a /forget test must fill every one first, or it
    proves nothing about that table."""
    return sorted(key for key, n in counts.items() if n == 0)
