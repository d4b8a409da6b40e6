"""How a signer proved who they were: recorded on each decision and each
audit entry (issue 17), so that the history says how every sign-off was made."""

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from siteconf.mfa.state import Method, Proof


class SignOffProof(models.Model):
    """The second-factor check behind a record: its method, time and device.

    An empty method means the record was made before second factors existed.
    """

    proof_method = models.CharField(
        _("proved with"),
        max_length=20,
        choices=Method,
        blank=True,
        help_text=_("Empty: recorded before second factors existed."),
    )
    proof_at = models.DateTimeField(
        _("second factor checked at"), null=True, blank=True
    )
    proof_device = models.CharField(_("device"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def proof_fields(cls, proof: Proof | None) -> dict:
        """The field values that record `proof` (None records nothing)."""
        if proof is None:
            return {}
        return {
            "proof_method": str(proof.method),
            "proof_at": proof.at,
            "proof_device": (proof.device or "")[:200],
        }

    @property
    def proof(self) -> Proof | None:
        if not self.proof_method:
            return None
        return Proof(self.proof_method, self.proof_at, self.proof_device)

    @property
    def proof_text(self) -> str:
        """The proof as the history shows it: 'passkey or security key
        “YubiKey 5” · checked 10:42', or 'no second factor (workflow API)'."""
        if not self.proof_method:
            return gettext("no second-factor record (made before second factors)")
        parts = [self.get_proof_method_display()]
        if self.proof_device:
            parts[0] += f" “{self.proof_device}”"
        if self.proof_at is not None:
            parts.append(
                gettext("checked %(at)s")
                % {"at": date_format(timezone.localtime(self.proof_at), "H:i")}
            )
        return " · ".join(parts)
