"""The database cache's table comes with `migrate`.

Without CACHE_URL a production server keeps throttle counters in a database table
(config.settings). `migrate` runs wherever the schema is set up (`make run`, the Docker
`migrate` service, the test database), so it also creates that table: no deployment
step to forget. `createcachetable` skips a table that exists.
"""

from django.core.management import call_command


def create_cache_tables(*, using, **kwargs):
    call_command("createcachetable", database=using, verbosity=0)
