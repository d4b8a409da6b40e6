"""A local HTTP server that replays recorded answers of the lookup services.

Routes map a path to a fixture file under tests/fixtures/lookup/; a test can
put scripted answers (a 503, a delay, broken JSON, a redirect, a body dripped
a byte at a time, raw bytes that are not quite HTTP) in front of a route, and
read back every request the server saw, with its headers.
"""

import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lookup"
JSON = "application/json"
ROUTES = {
    "/crossref/works/10.1093/humrep/deab049": (
        "crossref-works-10.1093-humrep-deab049.json",
        JSON,
    ),
    "/crossref/works/10.1371/journal.pone.0033693": (
        "crossref-works-10.1371-journal.pone.0033693.json",
        JSON,
    ),
    "/doi/10.1093/humrep/deab049": (
        "doi-csl-10.1093-humrep-deab049.json",
        "application/vnd.citationstyles.csl+json",
    ),
    "/eutils/efetch.fcgi?id=33990841": ("efetch-pubmed-33990841.xml", "text/xml"),
    "/idconv/?ids=PMC8487651": ("idconv-PMC8487651.json", JSON),
    "/openlibrary/api/books?bibkeys=ISBN:9780190246556": (
        "openlibrary-isbn-9780190246556.json",
        JSON,
    ),
    # The evidence watchers' recorded answers (tests/fixtures/evidence/).
    "/crossref/works/10.1016/S0140-6736(97)11096-0": (
        "../evidence/crossref-work-wakefield-1998.json",
        JSON,
    ),
    "/crossref/works/10.1038/s41586-020-2012-7": (
        "../evidence/crossref-work-zhou-2020-addendum.json",
        JSON,
    ),
    "/eutils/efetch.fcgi?id=9500320": (
        "../evidence/pubmed-efetch-9500320.xml",
        "text/xml",
    ),
}


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain"
    delay: float = 0.0
    headers: dict = field(default_factory=dict)
    # Seconds between bytes of the body (or of `raw`): a slow drip.
    drip: float = 0.0
    # Sent as they are instead of a status line, headers and body.
    raw: bytes = b""


@dataclass
class Seen:
    path: str
    query: dict
    headers: dict
    method: str = "GET"


class ReplayServer:
    """Listens on 127.0.0.1; over TLS when given a server-side context."""

    def __init__(self, tls: ssl.SSLContext | None = None):
        self.scripted: dict[str, list[Answer]] = {}
        self.requests: list[Seen] = []
        # What a path with no route gets (the benchmark's many DOIs).
        self.fallback: Answer | None = None
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the standard library's name)
                server.answer(self)

            def do_HEAD(self):  # noqa: N802
                server.answer(self, head=True)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.port = self.httpd.server_address[1]
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def script(self, route: str, *answers: Answer) -> None:
        """Answer the next requests to `route` with these, then as recorded."""
        self.scripted.setdefault(route, []).extend(answers)

    def hits(self, prefix: str = "/") -> int:
        return sum(1 for seen in self.requests if seen.path.startswith(prefix))

    def _route(self, path: str, query: dict) -> str:
        waiting = [route for route, answers in self.scripted.items() if answers]
        for route in [*waiting, *ROUTES]:
            route_path, _, route_query = route.partition("?")
            wanted = urllib.parse.parse_qs(route_query)
            if route_path == path and all(query.get(k) == v for k, v in wanted.items()):
                return route
        return ""

    def answer(self, handler: BaseHTTPRequestHandler, head: bool = False) -> None:
        parts = urllib.parse.urlsplit(handler.path)
        path = urllib.parse.unquote(parts.path)
        query = urllib.parse.parse_qs(parts.query)
        method = "HEAD" if head else "GET"
        self.requests.append(Seen(path, query, dict(handler.headers), method))
        route = self._route(path, query)
        if self.scripted.get(route):
            answer = self.scripted[route].pop(0)
        elif route in ROUTES:
            name, content_type = ROUTES[route]
            answer = Answer(200, (FIXTURES / name).read_bytes(), content_type)
        elif self.fallback is not None:
            answer = self.fallback
        else:
            answer = Answer(404, b"Resource not found.")
        time.sleep(answer.delay)
        try:
            if answer.raw:
                self._write(handler, answer.raw, answer.drip)
                return
            handler.send_response(answer.status)
            handler.send_header("Content-Type", answer.content_type)
            handler.send_header("Content-Length", str(len(answer.body)))
            handler.send_header("X-Rate-Limit-Limit", "50")
            handler.send_header("X-Rate-Limit-Interval", "1s")
            for name, value in answer.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            if not head:
                self._write(handler, answer.body, answer.drip)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout test)

    def _write(self, handler: BaseHTTPRequestHandler, data: bytes, drip: float):
        if not drip:
            handler.wfile.write(data)
            return
        for index in range(len(data)):
            handler.wfile.write(data[index : index + 1])
            handler.wfile.flush()
            time.sleep(drip)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def point_lookups_at(settings, server: ReplayServer, **overrides) -> None:
    """Send every lookup to the replay server, retrying without waiting.

    The server listens on 127.0.0.1, which lookups refuse unless the setting
    names its exact origin.
    """
    settings.HEALTH_LOOKUP = {
        "CROSSREF_URL": f"{server.url}/crossref/",
        "DOI_URL": f"{server.url}/doi/",
        "EUTILS_URL": f"{server.url}/eutils/",
        "IDCONV_URL": f"{server.url}/idconv/",
        "OPENLIBRARY_URL": f"{server.url}/openlibrary/",
        "TIMEOUT": 2.0,
        "RETRIES": 2,
        "BACKOFF": 0,
        "ALLOW_INTERNAL": [f"127.0.0.1:{server.port}"],
        **overrides,
    }
    settings.HEALTH_LOOKUP_CONTACT = "lookups@example.org"
