"""Carry out scheduled go-lives and withdrawals whose time has come (for cron)."""

import time

from django.core.management.base import BaseCommand

from articles.workflow import run_due_schedules


class Command(BaseCommand):
    help = "Publish and withdraw scheduled articles whose time has come."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            type=int,
            metavar="SECONDS",
            help="Keep running, checking every SECONDS (used by `make run`).",
        )

    def handle(self, *args, loop=None, **options):
        while True:
            for line in run_due_schedules():
                self.stdout.write(line)
            if not loop:
                return
            time.sleep(loop)
