"""Versioned layouts of docket's SQLite cache files (the shared cache, the dump cache).

A cache file records the layout it was made with in SQLite's ``user_version`` (0 in a new file). A file of another
layout, e.g. left by an older docket, is emptied and made again in the current layout: it is only a cache, and
``CREATE TABLE IF NOT EXISTS`` over an old table would keep its old columns (``no such column`` on first use).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable


def adopt_layout(db: sqlite3.Connection, version: int, statements: Iterable[str]) -> bool:
    """Make the file of ``db`` (a connection in autocommit mode, ``isolation_level=None``) hold layout ``version``
    (a positive number): unless it has it already, drop every table and run ``statements`` (the schema), in one
    transaction that also checks again, since other processes may open the same file at once. Returns whether the
    file was made again."""
    if version < 1:
        raise ValueError("a layout version is a positive number (0 is a new file's)")
    if _version(db) == version:
        return False
    db.execute("BEGIN IMMEDIATE")
    try:
        remade = _version(db) != version
        if remade:
            tables = [name for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").fetchall()]
            for name in tables:
                db.execute(f'DROP TABLE IF EXISTS "{name}"')  # its indexes go with it
            for statement in statements:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {int(version)}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return remade


def _version(db: sqlite3.Connection) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]
