"""`/rest` takes Rest.li 2.0 only when the request says so (assumed.REST_PROTOCOL_REQUIRED):
no `X-RestLi-Protocol-Version`, or 1.0.0, is a 400 naming the header."""

from __future__ import annotations

import pytest

from recruitlink.core.assumed import REST_PROTOCOL_REQUIRED
from recruitlink.sandbox.api.versioned import check_protocol
from recruitlink.sandbox.errors import ApiError


def test_the_protocol_header_is_required_on_rest():
    check_protocol({"x-restli-protocol-version": REST_PROTOCOL_REQUIRED})
    for headers in ({}, {"x-restli-protocol-version": "1.0.0"}):
        with pytest.raises(ApiError) as refused:
            check_protocol(headers)
        assert refused.value.status == 400
        assert "X-RestLi-Protocol-Version" in str(refused.value)
