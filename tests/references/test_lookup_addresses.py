"""Which URLs and addresses a lookup may reach, checked by name, by resolved
address at connect time, and by certificate."""

import ipaddress
import shutil
import socket
import ssl
import subprocess
import time

import pytest

from references.lookup import ServiceError, look_up
from references.lookup import connection as lookup_connection
from references.lookup.addresses import Origin, Refused, is_public, origin_of
from tests.references.replay import ReplayServer, point_lookups_at

PLOS_DOI = "10.1371/journal.pone.0033693"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.1.2.3",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "198.18.0.1",
        "::",
        "::1",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",
        "fec0::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::7f00:1",
        "64:ff9b::a9fe:a9fe",
        "64:ff9b:1::808:808",
        "2002:7f00:1::",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        "::127.0.0.1",
    ],
)
def test_internal_addresses_are_not_public(address):
    """Loopback, private, link-local, multicast, reserved and their IPv6
    embeddings (mapped, NAT64, 6to4, Teredo, IPv4-compatible)."""
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "104.18.0.1", "2606:4700::1111", "::ffff:8.8.8.8"]
)
def test_public_addresses_are_public(address):
    """A NAT64 or mapped form of a public address is as public as it is."""
    assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "http://doi.org@127.0.0.1/",
        "http://doi.org:@127.0.0.1/",
        "https://doi.org/10.1/x\r\nX-Injected: 1",
        "https://doi.org/\n",
        "https://doi.org/ x",
        "https://doi.org\t/",
        "https://dо.org/",  # a Cyrillic о
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/",
        "http:///path",
        "http://[::1/",
        "http://doi.org:99999/",
        "http://doi.org:port/",
        "https://doi.org/" + "x" * 5000,
    ],
)
def test_unusable_urls_are_refused(url):
    with pytest.raises(Refused):
        origin_of(url)


def test_an_origin_names_scheme_host_and_port():
    assert origin_of("https://API.Crossref.org/works") == (
        Origin("https", "api.crossref.org", 443)
    )
    assert origin_of("http://[::1]:8080/").netloc == "[::1]:8080"


@pytest.mark.django_db
def test_a_listed_name_that_resolves_to_loopback_is_refused(replay, settings, caplog):
    """`localhost` is on the list (it is Crossref's configured URL) but
    resolves to 127.0.0.1: refused when connecting, nothing sent."""
    point_lookups_at(settings, replay, CROSSREF_URL=f"http://localhost:{replay.port}/")
    with pytest.raises(ServiceError, match="address we do not follow"):
        look_up("doi", PLOS_DOI)
    assert replay.hits() == 0
    assert "internal address" in caplog.text


@pytest.fixture
def resolver(monkeypatch):
    """Answer name lookups from a table: {name: [address, …] or a callable}."""
    table, asked = {}, []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in table:
            return real(host, port, *args, **kwargs)
        asked.append(host)
        answer = table[host]
        addresses = answer() if callable(answer) else answer
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port, 0, 0) if ":" in a else (a, port),
            )
            for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table, asked


@pytest.mark.django_db
def test_every_address_of_a_name_is_checked(replay, settings, resolver):
    """A name resolving to a public and a private address is refused before
    any connection, whichever address would have been tried first."""
    table, _asked = resolver
    table["api.crossref.org"] = ["93.184.215.14", "10.0.0.7"]
    point_lookups_at(
        settings, replay, CROSSREF_URL=f"http://api.crossref.org:{replay.port}/"
    )
    with pytest.raises(ServiceError, match="address we do not follow"):
        look_up("doi", PLOS_DOI)


@pytest.mark.django_db
def test_the_socket_connects_to_the_address_that_was_checked(
    replay, settings, resolver
):
    """The name is resolved once per connection: a second, different answer
    (DNS rebinding) is never asked for, let alone used."""
    table, asked = resolver
    answers = iter([["127.0.0.1"], ["10.9.9.9"], ["10.9.9.9"]])
    table["rebind.test"] = lambda: next(answers)
    point_lookups_at(
        settings,
        replay,
        CROSSREF_URL=f"http://rebind.test:{replay.port}/crossref/",
        ALLOW_INTERNAL=[f"rebind.test:{replay.port}"],
    )
    assert look_up("doi", PLOS_DOI).volume == "7"
    assert asked == ["rebind.test"]
    assert replay.requests[0].headers["Host"] == f"rebind.test:{replay.port}"


@pytest.mark.django_db
def test_a_slow_name_lookup_ends_at_the_deadline(replay, settings, resolver):
    table, _asked = resolver
    table["slow.test"] = lambda: time.sleep(3) or ["93.184.215.14"]
    point_lookups_at(settings, replay, CROSSREF_URL="http://slow.test/", DEADLINE=0.5)
    started = time.monotonic()
    with pytest.raises(ServiceError, match="did not answer in time"):
        look_up("doi", PLOS_DOI)
    assert time.monotonic() - started < 1.2


def openssl(*args: str, cwd) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A test CA and a server certificate it signed for replay.test."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    folder = tmp_path_factory.mktemp("tls")
    openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=Lookup test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign",
        cwd=folder,
    )  # fmt: skip
    openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key",
        "-out", "server.csr", "-subj", "/CN=replay.test",
        cwd=folder,
    )  # fmt: skip
    (folder / "server.ext").write_text(
        "subjectAltName=DNS:replay.test\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
    )
    openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
        cwd=folder,
    )  # fmt: skip
    return folder


@pytest.fixture
def tls_replay(certificates, settings, resolver, monkeypatch):
    """The replay server over TLS as replay.test, whose CA the client trusts."""
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(
        certificates / "server.pem", certificates / "server.key"
    )
    server = ReplayServer(tls=server_side)
    client_side = ssl.create_default_context(cafile=certificates / "ca.pem")
    client_side.sslsocket_class = lookup_connection.DeadlineSSLSocket
    monkeypatch.setattr(lookup_connection, "tls_context", lambda: client_side)
    table, _asked = resolver
    table["replay.test"] = table["other.test"] = ["127.0.0.1"]
    point_lookups_at(settings, server)
    yield server
    server.close()


@pytest.mark.django_db
def test_https_to_a_checked_address_verifies_the_host_name(tls_replay, settings):
    """Connected to 127.0.0.1, the certificate is still checked for the name."""
    point_lookups_at(
        settings,
        tls_replay,
        CROSSREF_URL=f"https://replay.test:{tls_replay.port}/crossref/",
        ALLOW_INTERNAL=[f"replay.test:{tls_replay.port}"],
    )
    assert look_up("doi", PLOS_DOI).volume == "7"


@pytest.mark.django_db
def test_a_certificate_for_another_name_is_refused(tls_replay, settings):
    point_lookups_at(
        settings,
        tls_replay,
        CROSSREF_URL=f"https://other.test:{tls_replay.port}/crossref/",
        ALLOW_INTERNAL=[f"other.test:{tls_replay.port}"],
        RETRIES=0,
    )
    with pytest.raises(ServiceError, match="could not be reached"):
        look_up("doi", PLOS_DOI)
    assert tls_replay.hits() == 0
