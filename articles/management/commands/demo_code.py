"""Print a demo user's current authenticator code, so that a newcomer can log
in to `make run` in seconds. A development aid: it refuses with DEBUG off,
where a code printed from the database would defeat the second factor."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.management.commands.seed_demo import DEMO_DEVICE


def current_code(device: TOTPDevice) -> tuple[str, int, bool]:
    """The device's code now, the seconds it stays current, and whether it
    was used already (a used code is refused until the next one)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    left = device.step - int(totp.time - device.t0) % device.step
    used = device.last_t >= totp.t()
    return f"{totp.token():0{device.digits}d}", left, used


class Command(BaseCommand):
    help = "Print a demo user's current authenticator code (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="a demo user, e.g. reviewer")

    def handle(self, *args, username: str, **options):
        if not settings.DEBUG:
            raise CommandError(
                "demo_code is a development aid and runs only with DEBUG on "
                "(DJANGO_DEBUG=1, as in `make run`)."
            )
        device = TOTPDevice.objects.filter(
            user__username=username, name=DEMO_DEVICE
        ).first()
        if device is None:
            raise CommandError(
                f"{username!r} has no demo authenticator: run "
                "`manage.py seed_demo` first, and name a demo user (writer, "
                "reviewer, editor or admin)."
            )
        code, left, used = current_code(device)
        self.stdout.write(code)
        note = f"valid for {left} more seconds"
        if used:
            note = f"used already: run this again in {left} seconds for the next"
        self.stderr.write(f"({note})")
