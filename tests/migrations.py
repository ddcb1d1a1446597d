"""Moving the test database between migration states, for data-migration tests."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(targets):
    """Migrate to `targets` and return the historical apps of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest():
    """Back to the newest state, as every other test expects the database."""
    migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())
