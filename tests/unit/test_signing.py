from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from recruitlink.core.signing import sign, verify


def test_signature_is_hmac_sha256_over_prefixed_body():
    expected = hmac.new(b"secret", b"hmacsha256={}", hashlib.sha256).hexdigest()
    assert sign("secret", b"{}") == expected


@given(st.text(min_size=1), st.binary())
def test_verify_accepts_own_signature_with_or_without_prefix(secret, body):
    signature = sign(secret, body)
    assert verify(secret, body, signature)
    assert verify(secret, body, "hmacsha256=" + signature)
    assert verify(secret, body, signature.upper())


@given(st.text(min_size=1), st.binary(min_size=1))
def test_verify_rejects_tampering_and_other_secrets(secret, body):
    signature = sign(secret, body)
    assert not verify(secret, body + b"x", signature)
    assert not verify(secret + "x", body, signature)
    assert not verify(secret, body, None)
    assert not verify(secret, body, "")
