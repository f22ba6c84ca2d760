"""Tokens encrypted at rest with Fernet; several keys for rotation (``MultiFernet``: the first encrypts, all decrypt).

A database dump therefore holds no ``xoxb-``/``xoxe-``/``xoxp-`` token. Values carry a ``fernet:`` prefix, so a
plain value left from before encryption is recognised (and re-encrypted by ``rapport keys rotate``).
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

PREFIX = "fernet:"
_UNKNOWN_KEY = "a stored token was encrypted with a key that is not in RAPPORT_ENCRYPTION_KEY"


class EncryptionKeyError(ValueError):
    """The configured key list is unusable; the message names the problem, never the key."""


class TokenCipher:
    """Encrypts and decrypts token strings with the configured keys (newest first)."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise EncryptionKeyError("RAPPORT_ENCRYPTION_KEY is empty: generate one with `rapport keys generate`")
        try:
            self._fernet = MultiFernet([Fernet(key.strip().encode()) for key in keys])
        except (ValueError, TypeError):
            raise EncryptionKeyError(
                "RAPPORT_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64 bytes), comma-separated, newest first"
            ) from None

    @classmethod
    def from_setting(cls, value: str) -> TokenCipher:
        """Keys from the setting's comma-separated list."""
        return cls([key for key in value.split(",") if key.strip()])

    @staticmethod
    def generate_key() -> str:
        """A new random key."""
        return Fernet.generate_key().decode()

    def encrypt(self, value: str | None) -> str | None:
        """The value encrypted with the newest key (None stays None)."""
        if value is None or value.startswith(PREFIX):
            return value
        return PREFIX + self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, value: str | None) -> str | None:
        """The plain value; a value stored before encryption is returned as it is."""
        if value is None or not value.startswith(PREFIX):
            return value
        try:
            return self._fernet.decrypt(value[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise EncryptionKeyError(_UNKNOWN_KEY) from None

    def rotate(self, value: str | None) -> str | None:
        """The value re-encrypted with the newest key (plain values are encrypted)."""
        if value is None:
            return None
        if not value.startswith(PREFIX):
            return self.encrypt(value)
        try:
            return PREFIX + self._fernet.rotate(value[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise EncryptionKeyError(_UNKNOWN_KEY) from None
