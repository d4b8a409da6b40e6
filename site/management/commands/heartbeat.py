"""Queue the worker's heartbeat (`siteconf.tasks.heartbeat`) for /healthz/status."""

import logging
import time

from django.core.management.base import BaseCommand

from siteconf.tasks import heartbeat

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Queue a heartbeat task for the background worker (every minute)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            type=int,
            metavar="SECONDS",
            help="Keep running, queueing one every SECONDS (used by `make serve`).",
        )

    def handle(self, *args, loop=None, **options):
        if not loop:
            heartbeat.enqueue()
            return
        while True:
            # A database that is briefly away must not end the loop: the status
            # would then call the worker late long after the database is back.
            try:
                heartbeat.enqueue()
            except Exception:
                logger.exception("Could not queue the worker heartbeat")
            time.sleep(loop)
