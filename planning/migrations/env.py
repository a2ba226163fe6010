"""Alembic environment: runs on the connection handed in by planning.db.migrate, or on the URL."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from planning.auth import SYSTEM, acting_as
from planning.db import include_name
from planning.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with acting_as(SYSTEM), context.begin_transaction():  # schema changes are the system's writes
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as conn:
        _run(conn)
