"""One lookup's HTTP requests: only to allowed hosts, only to public
addresses, never larger than the cap, never past the lookup's deadline.

Standard library only (http.client, socket, ssl). Each hop of a redirect is
checked against the service's allow-list (scheme, host and port). A host
name is resolved once, every address it resolves to is checked, and the
socket connects to a checked address, so a name that answers differently the
second time (DNS rebinding) gains nothing; TLS still verifies the
certificate against the host name. Every read of the socket waits no longer
than what is left of the deadline, so neither a slow answer nor one that
drips a byte at a time outlives it.
"""

import concurrent.futures
import functools
import http.client
import ipaddress
import socket
import ssl
import time
import urllib.parse
from dataclasses import dataclass
from email.message import Message

from references.lookup.addresses import (
    Origin,
    Refused,
    TooLarge,
    TooManyRedirects,
    Unreadable,
    check_addresses,
    next_url,
    origin_of,
)

REDIRECTS = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024
# getaddrinfo has no timeout of its own: it runs here, and the lookup stops
# waiting for it when the deadline passes. Few threads, so a resolver that
# hangs cannot make many.
RESOLVER = concurrent.futures.ThreadPoolExecutor(4, thread_name_prefix="lookup-dns")


class Deadline:
    """The one time limit of a lookup: every resolution, connection, read,
    retry and backoff of it comes out of the same budget."""

    def __init__(self, seconds: float):
        self.ends = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def timeout(self, limit: float) -> float:
        """How long the next blocking step may take: `limit`, or less if less
        is left. TimeoutError once the deadline has passed."""
        left = self.remaining()
        if left <= 0:
            raise TimeoutError("the lookup's deadline has passed")
        return min(limit, left)

    def sleep(self, seconds: float) -> bool:
        """Sleep before a retry if that leaves time to retry; else False."""
        if seconds >= self.remaining():
            return False
        time.sleep(max(seconds, 0))
        return True


@dataclass(frozen=True)
class Policy:
    """What one service's requests may reach and read."""

    origins: frozenset[Origin]  # where the service and its redirects may be
    internal: frozenset[str]  # "host:port" origins exempt from the address check
    timeout: float  # one connection or one read
    max_bytes: int
    max_redirects: int = 5
    # Any http(s) origin may be reached (a cited link), still only at public
    # addresses (checked at every hop) unless listed in `internal`.
    any_origin: bool = False


class _DeadlineReads:
    """Each read waits at most `read_timeout`, and never past `deadline`."""

    deadline: Deadline | None = None
    read_timeout: float = 0.0

    def recv_into(self, buffer, *args, **kwargs):
        if self.deadline is not None:
            self.settimeout(self.deadline.timeout(self.read_timeout))
        return super().recv_into(buffer, *args, **kwargs)


class DeadlineSocket(_DeadlineReads, socket.socket):
    pass


class DeadlineSSLSocket(_DeadlineReads, ssl.SSLSocket):
    pass


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The system's trusted CAs, certificate and host name checked."""
    context = ssl.create_default_context()
    context.sslsocket_class = DeadlineSSLSocket
    return context


def resolve(origin: Origin, deadline: Deadline, limit: float) -> list:
    """The (family, socket address) pairs `origin.host` resolves to."""
    timeout = deadline.timeout(limit)
    future = RESOLVER.submit(
        socket.getaddrinfo, origin.host, origin.port, type=socket.SOCK_STREAM
    )
    found = future.result(timeout=timeout)
    return [(family, sockaddr) for family, _type, _proto, _name, sockaddr in found]


def open_socket(origin: Origin, policy: Policy, deadline: Deadline) -> socket.socket:
    """A socket connected to a checked address of `origin`.

    Every address the host resolves to is checked before any is tried.
    """
    found = resolve(origin, deadline, policy.timeout)
    check_addresses(
        origin, [ipaddress.ip_address(a[0]) for _f, a in found], policy.internal
    )
    error: OSError = OSError(f"{origin.host} resolves to no address")
    for family, address in found:
        sock = DeadlineSocket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(deadline.timeout(policy.timeout))
            sock.connect(address)
        except OSError as failure:
            sock.close()
            error = failure
            continue
        sock.deadline, sock.read_timeout = deadline, policy.timeout
        return sock
    raise error


class CheckedConnection(http.client.HTTPConnection):
    """HTTP, or HTTPS when the origin's scheme says so, to an address checked
    when connecting; the Host header, SNI and certificate use the name."""

    def __init__(self, origin: Origin, policy: Policy, deadline: Deadline):
        super().__init__(origin.host, origin.port, timeout=policy.timeout)
        self.origin, self.policy, self.deadline = origin, policy, deadline

    def connect(self):
        sock = open_socket(self.origin, self.policy, self.deadline)
        if self.origin.scheme == "https":
            try:
                sock.settimeout(self.deadline.timeout(self.policy.timeout))
                sock = tls_context().wrap_socket(sock, server_hostname=self.origin.host)
            except BaseException:
                sock.close()
                raise
            sock.deadline, sock.read_timeout = self.deadline, self.policy.timeout
        self.sock = sock


@dataclass
class Answer:
    status: int
    headers: Message
    body: bytes = b""


def read_body(response: http.client.HTTPResponse, origin: Origin, cap: int) -> bytes:
    """The body, read a socket read at a time and refused past `cap` bytes.

    Compressed answers are refused: we never ask for one (http.client sends
    Accept-Encoding: identity), so nothing here inflates a gzip bomb.
    """
    encodings = {
        value.strip().lower()
        for value in response.headers.get_all("Content-Encoding", [])
    } - {"", "identity"}
    if encodings:
        raise Unreadable(origin.host, f"an answer encoded {sorted(encodings)!r:.60}")
    lengths = {
        value.strip() for value in response.headers.get_all("Content-Length", [])
    }
    if len(lengths) > 1:
        raise http.client.HTTPException("conflicting Content-Length headers")
    declared = next(iter(lengths), "")
    if declared.isdigit() and int(declared) > cap:
        raise TooLarge(origin.host, f"an answer of {declared} bytes")
    chunks, size = [], 0
    while chunk := response.read1(CHUNK):
        size += len(chunk)
        if size > cap:
            raise TooLarge(origin.host, f"an answer of more than {cap} bytes")
        chunks.append(chunk)
    if declared.isdigit() and size != int(declared):
        raise http.client.IncompleteRead(b"", int(declared) - size)
    return b"".join(chunks)


def exchange(
    url: str,
    origin: Origin,
    headers: dict,
    policy: Policy,
    deadline: Deadline,
    method: str = "GET",
) -> Answer:
    """One GET (or HEAD), on its own connection; only a 2xx answer's body is
    read, and only for a GET."""
    parts = urllib.parse.urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = CheckedConnection(origin, policy, deadline)
    try:
        connection.request(method, target, headers=headers)
        response = connection.getresponse()
        body = b""
        if method == "GET" and 200 <= response.status < 300:
            body = read_body(response, origin, policy.max_bytes)
        return Answer(response.status, response.headers, body)
    finally:
        connection.close()


def fetch(
    url: str, headers: dict, policy: Policy, deadline: Deadline, method: str = "GET"
) -> Answer:
    """GET (or HEAD) `url`, following redirects only while each hop is on the
    list (or, for `policy.any_origin`, at a public address).

    Refused (with the host) for a hop or an address that is not allowed.
    """
    for _hop in range(policy.max_redirects + 1):
        origin = origin_of(url)
        if not policy.any_origin and origin not in policy.origins:
            raise Refused(origin.host, f"{origin.scheme}://{origin.netloc} not listed")
        answer = exchange(url, origin, headers, policy, deadline, method)
        location = answer.headers.get("Location")
        if answer.status not in REDIRECTS or location is None:
            return answer
        url = next_url(url, location)
    raise TooManyRedirects(origin.host, f"more than {policy.max_redirects} redirects")
