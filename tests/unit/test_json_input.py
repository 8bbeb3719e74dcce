"""The one JSON reader of request bodies (web/json_input.py) and the NDJSON line splitter of the
bulk endpoint (web/api.py): limits, the field they name, and lines split wherever the chunks
of a streamed body fall."""

from __future__ import annotations

import json
import random

import pytest

from recruitlink.errors import JsonRefused
from recruitlink.web import json_input
from recruitlink.web.api import MAX_LINE_BYTES, NdjsonLines
from recruitlink.web.auth import ApiError


def refusal(raw: bytes | str, **kwargs: bool) -> JsonRefused:
    with pytest.raises(JsonRefused) as caught:
        json_input.loads(raw, **kwargs)
    return caught.value


def test_depth_is_capped_at_64_levels_and_deeper_input_never_recurses():
    assert json_input.loads("[" * 64 + "]" * 64) is not None
    for depth in (65, 999, 5000, 200_000):
        refused = refusal("[" * depth + "]" * depth)
        assert "nested too deeply" in refused.reason and not refused.malformed
    assert "nested too deeply" in refusal('{"a":' * 70 + "1" + "}" * 70).reason


def test_integers_past_the_digit_limit_are_refused_with_a_reason():
    assert json_input.loads("9" * 4300) == int("9" * 4300)
    refused = refusal('{"n": ' + "9" * 4301 + "}")
    assert "4300 digits" in refused.reason and not refused.malformed


def test_a_nul_is_refused_with_its_path_unless_left_to_the_caller():
    refused = refusal('{"a": [1, {"b": "x\\u0000"}]}')
    assert (refused.field, "NUL" in refused.reason) == ("a.1.b", True)
    assert refusal('{"a": {"k\\u0000": 1}}').field == "a"
    assert json_input.loads('{"a": "x\\u0000"}', storable=False) == {"a": "x\x00"}
    assert json_input.loads('"escaped: \\\\u0000"') == "escaped: \\u0000"  # text, not NUL


def test_malformed_json_and_bad_encoding_say_where():
    refused = refusal(b'{"a": 1,\n "b": }')
    assert refused.malformed and (refused.line, refused.column) == (2, 7)
    assert refusal(b'"\xff"').malformed


def split(body: bytes, piece: int, limit: int = 100_000) -> list[tuple[int, bytes]]:
    lines = NdjsonLines(limit)
    for start in range(0, len(body), piece):
        lines.feed(body[start:start + piece])
    return lines.finish()


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 64, 4096, 1 << 20])
def test_lines_are_the_same_however_the_body_is_chunked(piece):
    rng = random.Random(piece)
    records = [json.dumps({"id": f"r{i}", "x": "y" * rng.randrange(0, 300)})
               for i in range(300)]
    text = ""
    expected = []
    number = 0
    for record in records:
        for _ in range(rng.randrange(0, 2)):  # blank lines are skipped but counted
            text += rng.choice(["\n", "  \n", "\r\n"])
            number += 1
        text += record + "\n"
        number += 1
        expected.append((number, record.encode()))
    assert split(text.encode(), piece) == expected
    assert split(text.encode() + b'{"last": 1}', piece)[-1] == (number + 1, b'{"last": 1}')


def test_a_line_over_the_cap_is_refused_with_its_number_before_its_end():
    body = b'{"a": 1}\n\n' + b"x" * (MAX_LINE_BYTES + 1)
    with pytest.raises(ApiError) as caught:
        split(body, 65_536)
    assert caught.value.status_code == 413
    assert [e["field"] for e in caught.value.errors] == ["line 3"]
    assert len(split(b"y" * MAX_LINE_BYTES + b"\n", 65_536)[0][1]) == MAX_LINE_BYTES


def test_too_many_records_are_refused_as_they_arrive():
    with pytest.raises(ApiError) as caught:
        split(b"{}\n" * 11, 5, limit=10)
    assert caught.value.status_code == 413
