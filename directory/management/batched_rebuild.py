"""The shape of a command that rebuilds derived rows in batches and prints its progress."""

import time

from django.core.management.base import BaseCommand, CommandError


class BatchedRebuildCommand(BaseCommand):
    """`--batch-size`, a progress line per committed batch, and the total at the end.

    Subclasses implement `rebuild`, which calls `on_batch(done)` after each batch and
    returns how many profiles it rebuilt.
    """

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)

    def rebuild(self, *, batch_size: int, on_batch) -> int:
        raise NotImplementedError

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be >= 1")
        name = self.__module__.rsplit(".", 1)[-1]
        started = time.monotonic()

        def progress(done):
            elapsed = time.monotonic() - started
            self.stdout.write(f"{name}: {done} profiles ({elapsed:.1f} s)")

        total = self.rebuild(batch_size=batch_size, on_batch=progress)
        self.stdout.write(self.style.SUCCESS(f"{name}: done, {total} profiles"))
