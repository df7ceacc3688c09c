"""The one paging clamp, for query strings (lenient, as Mattermost's web/params.go) and for
JSON bodies (typed, as Go decodes them)."""

import pytest

from apps.core.api.base import body_paging
from apps.core.errors import InvalidInput
from apps.core.paging import PAGE_MAX, PER_PAGE_DEFAULT, PER_PAGE_MAX, clamp_paging


@pytest.mark.parametrize(
    ("page", "per_page", "expected"),
    [
        ("9" * 30, "9" * 30, (PAGE_MAX, PER_PAGE_MAX)),
        (200_000_000_000_000_000, 60, (PAGE_MAX, 60)),
        (float("inf"), float("nan"), (0, PER_PAGE_DEFAULT)),
        ("1" * 5000, 10, (0, 10)),  # past Python's digit limit: not a number
        ("2.5", "", (0, PER_PAGE_DEFAULT)),
    ],
)
def test_query_paging_never_fails_and_keeps_the_offset_small(page, per_page, expected):
    assert clamp_paging(page, per_page) == expected
    page_n, per_page_n = clamp_paging(page, per_page)
    assert page_n * per_page_n < 2**31


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, (0, PER_PAGE_DEFAULT)),
        ({"page": None, "per_page": None}, (0, PER_PAGE_DEFAULT)),
        ({"page": 3, "per_page": 7}, (3, 7)),
        ({"page": 200_000_000_000_000_000}, (PAGE_MAX, PER_PAGE_DEFAULT)),
        ({"per_page": 10_000}, (0, PER_PAGE_MAX)),
    ],
)
def test_body_paging_clamps_what_decodes(body, expected):
    assert body_paging(body) == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"page": 2**63}, "page is out of range."),
        ({"per_page": -(2**63) - 1}, "per_page is out of range."),
        ({"page": "1"}, "page must be a whole number."),
        ({"page": True}, "page must be a whole number."),
        ({"per_page": 2.0}, "per_page must be a whole number."),
        ({"page": -1}, "page must be at least 0."),
        ({"per_page": 0}, "per_page must be at least 1."),
    ],
)
def test_body_paging_a_go_decoder_refuses_is_a_400(body, message):
    with pytest.raises(InvalidInput) as refused:
        body_paging(body)
    assert refused.value.message == message
    assert refused.value.status_code == 400
