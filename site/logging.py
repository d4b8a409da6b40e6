"""Log records as one JSON object per line, for production log collectors."""

import datetime
import json
import logging
import sys

from django.http import HttpRequest


class JSONFormatter(logging.Formatter):
    """Time, level, logger, message, the request's method, path and status
    when the record has them, and the traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # django.request and django.security records carry the request;
        # django.server's carry a socket instead.
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest):
            entry["method"] = request.method
            entry["path"] = request.path
        if status := getattr(record, "status_code", None):
            entry["status"] = status
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


class StderrHandler(logging.StreamHandler):
    """Write to whatever `sys.stderr` is when a record is emitted, not when
    logging was configured, so redirections made later (a process manager,
    pytest's capture) still receive the logs."""

    def __init__(self, level: int = logging.NOTSET):
        logging.Handler.__init__(self, level)

    @property
    def stream(self):
        return sys.stderr


def logging_settings(debug: bool, level: str) -> dict:
    """settings.LOGGING: everything at `level` and above goes to stderr, one
    JSON object per line in production (for the log collector) and plain text
    with DEBUG on; errors, with their tracebacks, are also mailed to ADMINS
    when DEBUG is off."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        },
        "formatters": {
            "json": {"()": "siteconf.logging.JSONFormatter"},
            "text": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
        },
        "handlers": {
            "stderr": {
                "class": "siteconf.logging.StderrHandler",
                "formatter": "text" if debug else "json",
            },
            "mail_admins": {
                "level": "ERROR",
                "filters": ["require_debug_false"],
                "class": "django.utils.log.AdminEmailHandler",
            },
        },
        "root": {
            "handlers": ["stderr", "mail_admins"],
            "level": level,
        },
        "loggers": {
            # Django's own records go to the root handlers above, not its defaults.
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            # Refused hosts, oversized or malformed requests: anyone on the
            # internet can cause these, so they are logged but never mailed.
            "django.security": {
                "handlers": ["stderr"],
                "level": "INFO",
                "propagate": False,
            },
        },
    }
