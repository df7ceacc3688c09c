"""Mattermost's paging parameters: the one clamp every page and per_page goes through.

Query strings (`?page=&per_page=`) are lenient, as Mattermost's web/params.go is: a bad or
negative value is the default. JSON bodies (`POST /posts/search`) are decoded by type, as Go
decodes them, so a wrong type is a 400 (`apps.core.api.base.body_paging`) and a value that
passes is clamped here the same way. Either way the offset reaching the database stays small.
"""

PER_PAGE_DEFAULT = 60
PER_PAGE_MAX = 200
# Far past any real history; keeps offsets (PAGE_MAX * PER_PAGE_MAX) inside the database's
# integer range, so an absurd page is an empty page, never an overflow.
PAGE_MAX = 1_000_000


def clamp_paging(page: object, per_page: object) -> tuple[int, int]:
    """Mattermost's paging rules: bad or negative values fall back to the defaults, a page
    past PAGE_MAX is PAGE_MAX (empty) and per_page is at most PER_PAGE_MAX."""
    try:
        page_n = min(max(int(page), 0), PAGE_MAX)  # type: ignore[call-overload]  # any input
    except (TypeError, ValueError, OverflowError):
        page_n = 0
    try:
        per_page_n = int(per_page)  # type: ignore[call-overload]  # any input is tried
    except (TypeError, ValueError, OverflowError):
        per_page_n = PER_PAGE_DEFAULT
    if per_page_n <= 0:
        per_page_n = PER_PAGE_DEFAULT
    return page_n, min(per_page_n, PER_PAGE_MAX)
