"""What the second-factor tests share: the code an app shows now."""

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def code_of(device: TOTPDevice, steps: int = 0) -> str:
    """The code `device`'s app shows now (or `steps` steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps * device.step
    return f"{totp.token():0{device.digits}d}"
