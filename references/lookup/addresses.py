"""Where a lookup may go: URLs against a service's allow-list, and resolved
addresses against what is internal.

Pure functions on strings and `ipaddress` objects. The connection
(`references/lookup/connection.py`) applies them to every hop of a redirect
and to every address a host name resolves to, before it connects.
"""

import ipaddress
import urllib.parse
from collections.abc import Collection, Iterable
from typing import NamedTuple

DEFAULT_PORTS = {"http": 80, "https": 443}
# Longer than any URL a lookup builds or a service redirects to.
MAX_URL = 4096
# NAT64's well-known prefix carries an IPv4 address in its last 32 bits.
NAT64 = ipaddress.ip_network("64:ff9b::/96")

type Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """A URL, an address or an answer a lookup must not use.

    `host` and `reason` are for the log; `explanation` ends the sentence the
    person who asked reads ("doi.org sent us to an address we do not follow.").
    """

    explanation = "sent us to an address we do not follow."

    def __init__(self, host: str, reason: str):
        super().__init__(f"{reason} ({host})")
        self.host = host
        self.reason = reason


class TooLarge(Refused):
    explanation = "sent an answer too large to use."


class TooManyRedirects(Refused):
    explanation = "redirected too many times."


class Unreadable(Refused):
    explanation = "sent an answer in an encoding we did not ask for."


class Origin(NamedTuple):
    scheme: str
    host: str
    port: int

    @property
    def netloc(self) -> str:
        """host:port, with an IPv6 address in brackets."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def _printable(text: str) -> bool:
    return all("!" <= character <= "~" for character in text)


def origin_of(url: str) -> Origin:
    """The scheme, host and port of an absolute http(s) URL.

    Refused for anything else: spaces, control characters (a header split
    across lines) or non-ASCII, user information (http://doi.org@127.0.0.1/),
    another scheme, a missing host or a port that is not a number.
    """
    shown = url[:80]
    if len(url) > MAX_URL or not _printable(url):
        raise Refused(shown, "a URL too long or with spaces or control characters")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused(shown, "a URL that does not parse") from None
    if parts.scheme not in DEFAULT_PORTS:
        raise Refused(shown, "a scheme other than http or https")
    if "@" in parts.netloc:
        raise Refused(shown, "user information in the URL")
    if not parts.hostname:
        raise Refused(shown, "a URL without a host")
    return Origin(parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme])


def next_url(url: str, location: str) -> str:
    """The URL a redirect's Location names, relative to `url`.

    The Location is checked before it is joined: urllib quietly drops tabs
    and newlines, which would hide a header injection.
    """
    if len(location) > MAX_URL or not _printable(location):
        raise Refused(origin_of(url).host, "a Location with spaces or control bytes")
    return urllib.parse.urljoin(url, location)


def allow_list(urls: Iterable[str], https_hosts: Iterable[str] = ()) -> frozenset:
    """The origins of the configured `urls`, and port 443 of `https_hosts`."""
    return frozenset(
        [origin_of(url) for url in urls]
        + [Origin("https", host.lower(), 443) for host in https_hosts]
    )


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: Address) -> bool:
    """Whether `address` is a public unicast address.

    Loopback, private, shared (CGNAT), link-local, multicast, reserved,
    unspecified, documentation and other special-purpose addresses are not;
    nor is an IPv6 address that carries one of those (IPv4-mapped, NAT64,
    6to4, Teredo), nor a deprecated site-local one.
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public(embedded)
        carried = [address.sixtofour, *(address.teredo or ())]
        if address.is_site_local or any(
            v4 is not None and not is_public(v4) for v4 in carried
        ):
            return False
    return (
        address.is_global
        and not address.is_multicast
        and not address.is_reserved
        and not address.is_private
    )


def check_addresses(
    origin: Origin, addresses: Iterable[Address], internal: Collection[str]
) -> None:
    """Refuse `origin` when any address its host resolves to is not public.

    `internal` names the host:port origins exempted, exactly as written in
    the URL (the tests' replay server on 127.0.0.1); never a name that
    merely resolves to one of them.
    """
    if origin.netloc in internal:
        return
    for address in addresses:
        if not is_public(address):
            raise Refused(origin.host, f"resolves to an internal address {address}")
