"""Passkeys and security keys (WebAuthn) as the second factor, for whichever
host the desk is served on.

The relying party is the request's own host name and the only allowed origin
the request's own, so passkeys work on any port of http://localhost and on
the production domain without a setting (ALLOWED_HOSTS already vouches for
the host). Browsers refuse WebAuthn on IP addresses, which `usable` tells the
pages, so that they can say so.
"""

import ipaddress

from django.http import HttpRequest
from django.http.request import split_domain_port
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    UserVerificationRequirement,
)

NAME_LENGTH = 64


def host_name(request: HttpRequest) -> str:
    domain, _port = split_domain_port(request.get_host())
    return domain


def relying_party_id(request: HttpRequest) -> str:
    """OTP_WEBAUTHN_RP_ID_CALLABLE: the page's own host name."""
    return host_name(request)


def usable(request: HttpRequest) -> bool:
    """Whether a browser will run WebAuthn on this page's host (not an IP)."""
    try:
        ipaddress.ip_address(host_name(request).strip("[]"))
    except ValueError:
        return True
    return False


def has_passkeys(user) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


class Helper(WebAuthnHelper):
    """The package's helper, with the allowed origin taken from the request
    and user verification (PIN or biometrics) required."""

    def get_allowed_origins(self) -> list[str]:
        return [f"{self.request.scheme}://{self.request.get_host()}"]

    def get_generate_registration_options_kwargs(self, *, user) -> dict:
        options = super().get_generate_registration_options_kwargs(user=user)
        options["authenticator_selection"] = AuthenticatorSelectionCriteria(
            user_verification=UserVerificationRequirement.REQUIRED,
            resident_key=self.get_discoverable_credentials_preference(),
        )
        return options

    def create_credential(self, user, response, parsed_credential, original_data):
        """Name the new passkey as the person asked (?name=), else generically."""
        device = super().create_credential(
            user, response, parsed_credential, original_data
        )
        name = self.request.GET.get("name", "").strip()[:NAME_LENGTH]
        device.name = name or "Passkey"
        return device
