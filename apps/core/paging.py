"""Mattermost's paging parameters."""

PER_PAGE_DEFAULT = 60
PER_PAGE_MAX = 200
# Far past any real history; keeps offsets inside the database's integer range.
PAGE_MAX = 1_000_000


def clamp_paging(page: object, per_page: object) -> tuple[int, int]:
    """Mattermost's paging rules: bad or negative values fall back to the defaults."""
    try:
        page_n = min(max(int(page), 0), PAGE_MAX)  # type: ignore[call-overload]  # any input
    except (TypeError, ValueError):
        page_n = 0
    try:
        per_page_n = int(per_page)  # type: ignore[call-overload]  # any input is tried
    except (TypeError, ValueError):
        per_page_n = PER_PAGE_DEFAULT
    if per_page_n <= 0:
        per_page_n = PER_PAGE_DEFAULT
    return page_n, min(per_page_n, PER_PAGE_MAX)
