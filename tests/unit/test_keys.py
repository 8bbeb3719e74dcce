"""The secret key: refused when missing, short or public; HKDF keys per purpose; previous and
legacy keys still open what they sealed, only the current key seals."""

from __future__ import annotations

import base64

import pytest
from cryptography.fernet import Fernet

from recruitlink import keys
from recruitlink.crypto import SecretBox, secret_box
from recruitlink.errors import ConfigurationError
from recruitlink.settings import Settings
from recruitlink.web import create_app

OLD = "an-old-secret-key-that-was-rotated-out-0001"
NEW = "the-current-secret-key-after-the-rotation-0002"


@pytest.mark.parametrize(("key", "reason"), [
    (None, "is not set"),
    ("", "is not set"),
    ("dev-only-change-me", "public development value"),
    ("x" * 31, "too short (31 characters; at least 32)"),
])
def test_a_missing_short_or_public_key_is_refused_saying_how_to_make_one(key, reason):
    with pytest.raises(ConfigurationError) as refused:
        secret_box(Settings(secret_key=key))
    assert reason in refused.value.message
    assert "recruitlink keys generate" in refused.value.message
    assert "RECRUITLINK_SECRET_KEY" in refused.value.message


def test_a_key_of_32_characters_is_accepted_and_generate_makes_fresh_ones():
    assert keys.check("k" * 32) == "k" * 32
    made = {keys.generate() for _ in range(3)}
    assert len(made) == 3
    assert all(keys.check(k) for k in made)


def test_settings_need_no_key_but_the_app_refuses_to_start_without_one(tmp_path):
    settings = Settings(secret_key=None, database_url=f"sqlite:///{tmp_path / 'a.db'}")
    with pytest.raises(ConfigurationError, match="RECRUITLINK_SECRET_KEY is not set"):
        create_app(settings)
    assert not (tmp_path / "a.db").exists()  # refused before opening the database


def test_the_encryption_key_and_the_signing_keys_are_separate_hkdf_derivations():
    settings = Settings(secret_key=NEW)
    at_rest = base64.urlsafe_b64decode(keys.fernet_key(NEW))  # Fernet's MAC + AES keys
    session, csrf = keys.signing_key(settings, "session"), keys.signing_key(settings, "csrf")
    assert len({at_rest[:16], at_rest[16:], session, csrf}) == 4
    assert session not in at_rest and csrf not in at_rest
    assert keys.fernet_key(NEW) != keys.legacy_fernet_key(NEW)  # not the old sha256 derivation
    assert keys.signing_key(Settings(secret_key=OLD), "session") != session


def test_a_previous_key_still_opens_and_only_the_current_key_seals():
    sealed_before = SecretBox(OLD).seal("client-secret")
    box = secret_box(Settings(secret_key=NEW, previous_secret_keys=f" {OLD} ,"))
    assert box.open(sealed_before) == "client-secret"
    assert not box.sealed_with_current(sealed_before)
    resealed = box.reseal(sealed_before)
    assert box.sealed_with_current(resealed)
    assert SecretBox(NEW).open(resealed) == "client-secret"  # no previous key needed
    with pytest.raises(ConfigurationError, match="cannot be decrypted"):
        SecretBox(OLD).open(resealed)
    with pytest.raises(ConfigurationError, match="cannot be decrypted"):
        SecretBox(NEW).open(sealed_before)


def test_what_the_pre_hkdf_release_sealed_still_opens():
    legacy = Fernet(keys.legacy_fernet_key(NEW)).encrypt(b"sealed-by-0.x").decode()
    assert SecretBox(NEW).open(legacy) == "sealed-by-0.x"
    # ... also under a previous key: the public default of earlier releases included.
    legacy_default = Fernet(keys.legacy_fernet_key("dev-only-change-me")).encrypt(b"s").decode()
    box = secret_box(Settings(secret_key=NEW, previous_secret_keys="dev-only-change-me"))
    assert box.open(legacy_default) == "s"


def test_the_key_file_is_made_owner_only_and_reused(tmp_path):
    path = tmp_path / "recruitlink.key"
    first = keys.key_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert keys.key_file(path) == first
    path.chmod(0o644)
    assert keys.key_file(path) == first
    assert path.stat().st_mode & 0o777 == 0o600
    path.write_text("short\n")
    with pytest.raises(ConfigurationError, match="too short"):
        keys.key_file(path)
