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
