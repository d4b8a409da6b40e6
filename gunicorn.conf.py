"""gunicorn settings for production: `make serve` and deploy/systemd/health-web.service.

The worker settings come from measurements on a 2-core machine (figures and
commands in docs/operations.md). Each can be changed from the environment:
GUNICORN_BIND (comma-separated, default 127.0.0.1:8000), GUNICORN_WORKERS,
GUNICORN_THREADS; anything else through gunicorn's own GUNICORN_CMD_ARGS.
"""

import datetime
import json
import os

from gunicorn.glogging import Logger

wsgi_app = "siteconf.wsgi:application"
bind = [
    address.strip()
    for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
    if address.strip()
]

# Measured on 2 cores (docs/operations.md): the uncached article page costs about
# 9 ms of CPU whatever the worker type, so 2 to 3 processes fill the cores
# (5 were slower); a cheap response (a static file, a cached page) went 1.7x
# faster with gthread than with sync workers, which close every connection.
# Python runs one thread at a time per process: processes use the cores, and
# two threads each overlap the waits on PostgreSQL and Redis.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", (os.cpu_count() or 1) + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 2))

# A gthread worker that stops answering its arbiter for 30 s is killed. No
# request should come near that: input limits keep the slowest one (a 20 MB
# reference import) to a few seconds.
timeout = 30
# On SIGTERM (a deploy, systemctl stop) requests in flight get 20 s to finish;
# the systemd unit waits 30 s before it kills.
graceful_timeout = 20
# The proxy in front (Varnish, nginx) reuses its connections to gunicorn from
# one request to the next; 5 s idle keeps them through short lulls.
keepalive = 5

# Replace each worker after 1.0 to 1.2 million requests: a safety net for a
# leak we have not seen, at staggered times so workers started together never
# restart together. Measured (docs/operations.md): a worker's memory stopped
# growing after its first ~25,000 cached pages and stayed flat to 580,000,
# while a new worker costs 0.5-0.8 s of CPU, about 900 cached pages. At 20,000
# the workers restarted every few seconds under cached traffic, about 5 % of
# the CPU, and p99 rose; at a million the restarts cost about 0.1 %.
max_requests = 1_000_000
max_requests_jitter = 200_000

# Worker heartbeats go to memory, not to a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The control socket (gunicornc) would be shared by every instance run by the
# same user; systemd and signals manage this one.
control_socket_disable = True


class JSONAtoms(dict):
    """gunicorn's access-log atoms, each written as a JSON value when the
    format asks for it, so a line stays valid JSON whatever a client put in
    the path."""

    def __getitem__(self, key: str) -> str:
        if key.startswith("{"):
            key = key.lower()  # request and response headers
        value = self.get(key)
        if key == "s" and isinstance(value, str) and value.isdigit():
            value = int(value)
        return json.dumps(value, default=str)


class JSONAccessLogger(Logger):
    """One JSON object per request on stdout (the app's own log lines are
    JSON on stderr). No query string and no client address: searches for a
    condition, tied to an address, are personal health data."""

    atoms_wrapper_class = JSONAtoms

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["time"] = (
            datetime.datetime.now(datetime.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z")
        )
        atoms["duration_ms"] = round(request_time.total_seconds() * 1000, 1)
        return atoms


logger_class = JSONAccessLogger
accesslog = "-"
access_log_format = (
    '{"time": %(time)s, "logger": "gunicorn.access", "method": %(m)s, '
    '"path": %(U)s, "status": %(s)s, "duration_ms": %(duration_ms)s, '
    '"bytes": %(B)s}'
)
errorlog = "-"
