"""Delete photo files that no photo row names (left by a crash or a failed deletion).

The job engine runs it daily (directory.tasks); this command runs it by hand. A file is
deleted only once it is older than --older-than-hours, so an upload whose row is about
to be committed is never touched.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from directory.photo_services import orphan_photo_files_delete


class Command(BaseCommand):
    help = "Delete stored photo files without a photo row, older than a grace period."

    def add_arguments(self, parser):
        parser.add_argument("--older-than-hours", type=float, default=24.0)

    def handle(self, *args, older_than_hours, **options):
        if older_than_hours < 0:
            raise CommandError("--older-than-hours must be >= 0")
        deleted = orphan_photo_files_delete(older_than=timedelta(hours=older_than_hours))
        self.stdout.write(self.style.SUCCESS(f"prune_photo_files: {len(deleted)} files deleted"))
