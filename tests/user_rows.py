"""What the database holds about one user, found from the schema rather than from a list.

``user_columns`` walks every table the bot declares (``model_metadata()``) and returns every column that refers to
a user: the users table's primary key, every column with a foreign key to it, and any column
named like a user reference (``user_id``, ``..._user_id``) even without a declared foreign key,
and every ``chat_id`` outside the users table (a private chat's id is its user's id: the webhook
inbox keeps updates by chat). A table whose rows are blanked rather than deleted (it holds a JSON
column, such as the inbox's ``payload``) counts only the rows whose JSON still holds something.
A table added later is covered without anyone remembering to list it, which is the point:
``/forget`` tests compare against this, not against the list ``Storage.forget`` deletes from.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, String, cast, func, select

from bot.storage.models import model_metadata
from bot.storage.store import Storage


def _refers_to_a_user(column: Column, users) -> bool:
    if column.table is users:
        return column.primary_key
    if any(fk.column.table is users for fk in column.foreign_keys):
        return True
    return column.name in ("user_id", "chat_id") or column.name.endswith("_user_id")


def user_columns() -> list[Column]:
    metadata = model_metadata()  # every model the bot declares, wherever it lives
    users = metadata.tables["users"]
    return [
        column
        for table in metadata.sorted_tables
        for column in table.columns
        if _refers_to_a_user(column, users)
    ]


async def rows_about(storage: Storage, user_id: int) -> dict[str, int]:
    """``{"table.column": rows where that column is the user}`` for every user column."""
    counts: dict[str, int] = {}
    async with storage.session() as s:
        for column in user_columns():
            query = select(func.count()).select_from(column.table).where(column == user_id)
            for held in column.table.columns:
                if isinstance(held.type, JSON):  # a blanked row holds nothing about anyone
                    query = query.where(cast(held, String) != "{}")
            counts[f"{column.table.name}.{column.name}"] = (await s.execute(query)).scalar_one()
    return counts


def tables_without_rows(counts: dict[str, int], ignore: tuple[str, ...] = ()) -> list[str]:
    """The user columns a test left empty: a /forget test must fill every one first, or it
    proves nothing about that table (``ignore``: columns the mode under test never fills)."""
    return sorted(key for key, n in counts.items() if n == 0 and key not in ignore)
