from django.core.management.base import BaseCommand

from bookings.services import bookings_expire_lapsed_holds


class Command(BaseCommand):
    help = "Mark pending bookings whose payment hold ran out as expired (run from cron)."

    def handle(self, *args, **options):
        ids = bookings_expire_lapsed_holds()
        self.stdout.write(f"expired {len(ids)} booking hold(s)")
