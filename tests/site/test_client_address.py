"""Behind trusted proxies, the client's address comes from X-Forwarded-For."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from siteconf.middleware import ClientAddressMiddleware


def address_seen(settings, remote, forwarded=None, trusted=("127.0.0.1",)):
    settings.HEALTH_TRUSTED_PROXIES = list(trusted)
    seen = {}

    def view(request):
        seen["address"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)
    ClientAddressMiddleware(view)(request)
    return seen["address"]


def test_the_client_is_the_last_untrusted_hop(settings):
    """nginx and Varnish append; the right-most other address is the client."""
    assert address_seen(settings, "127.0.0.1", "203.0.113.9, 127.0.0.1") == (
        "203.0.113.9"
    )


def test_a_forged_first_hop_is_ignored(settings):
    """What a client prepends cannot pass for the address the proxy saw."""
    assert address_seen(settings, "127.0.0.1", "10.9.9.9, 198.51.100.4") == (
        "198.51.100.4"
    )


@pytest.mark.parametrize(
    "remote, trusted", [("198.51.100.7", ("127.0.0.1",)), ("127.0.0.1", ())]
)
def test_the_header_is_ignored_unless_a_trusted_proxy_sent_it(
    settings, remote, trusted
):
    """From anyone else, or with no proxies configured, REMOTE_ADDR stands."""
    assert address_seen(settings, remote, "203.0.113.9", trusted) == remote
