"""Transactions: one ``with session_scope(engine)`` block is one transaction, and a save that lost a
compare-and-set becomes the caller's German refusal. Kept apart from :mod:`planning.db` (engines,
migrations) so that the audit trail and sign-in can use transactions without importing the engine
factory that installs them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A transaction: commits on success, rolls back everything on any exception."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def session_or_scope(engine: Engine, session: Session | None) -> Iterator[Session]:
    """Use the caller's session (one transaction for several steps, e.g. an import bundle) or open one."""
    if session is not None:
        yield session
        return
    with session_scope(engine) as s:
        yield s


def concurrent_edit_message(what: str) -> str:
    """German refusal when another person saved the same object at the same moment."""
    return (
        f"{what} wurde gerade gleichzeitig von jemand anderem gespeichert. "
        "Bitte neu laden; Ihre Änderung ist nicht gespeichert."
    )


@contextmanager
def compare_and_set(refusal: Callable[[], Exception], creating: bool = False) -> Iterator[None]:
    """Turn a lost compare-and-set into the caller's German refusal.

    Editable objects are mapped with ``version_id_col`` (:func:`planning.models.compare_and_set`):
    the save is ``UPDATE … WHERE id = :id AND revision = :seen``, and when another process saved
    first no row changes and the ORM raises ``StaleDataError``. With ``creating``, a unique-key
    violation (two people creating the same name at once) counts as such a conflict too.
    """
    try:
        yield
    except StaleDataError as exc:
        raise refusal() from exc
    except IntegrityError as exc:
        if not creating:
            raise
        raise refusal() from exc
