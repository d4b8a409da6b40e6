"""Second factors for staff: passkeys first, an authenticator app as the
fallback, and recovery codes (docs/staff-sign-in.md)."""
