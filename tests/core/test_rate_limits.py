"""API rate limits (SECURITY 6): a bucket per user and per anonymous address, 429 in the
AppError envelope with Retry-After, shared through Redis between processes."""

import secrets

import pytest
from django.test import Client

from apps.accounts.services.sessions import session_create
from apps.core import ratelimit
from apps.core.ratelimit import MemoryBuckets, Rate, RedisBuckets
from tests.conftest import require_service
from tests.factories import UserFactory

SECOND_US = 1_000_000


@pytest.fixture
def small_buckets(settings):
    settings.CONFAB_RATE_LIMIT_ENABLED = True
    settings.CONFAB_RATE_LIMIT_PER_SECOND = 1
    settings.CONFAB_RATE_LIMIT_BURST = 5
    return settings


def fresh_address() -> str:
    """A documentation-range address (its own /64) nobody else in the suite uses."""
    return f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}::1"


@pytest.mark.django_db
def test_a_burst_from_one_user_is_cut_off_and_others_are_not(small_buckets, api_as):
    alice, bob = UserFactory(), UserFactory()
    as_alice = api_as(alice)
    for _ in range(5):
        as_alice.get("users/me")
    refused = as_alice.get("users/me", status=429)
    assert refused["id"] == "api.context.rate_limited.app_error"
    # Another token of the same user draws on the same bucket.
    api_as(alice).get("users/me", status=429)
    # Bob is unaffected.
    assert api_as(bob).get("users/me")["id"] == bob.id


@pytest.mark.django_db
def test_the_refusal_says_when_to_come_back(small_buckets):
    user = UserFactory()
    _session, token = session_create(user=user)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    statuses = [client.get("/api/v4/users/me").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    response = client.get("/api/v4/users/me")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert int(response["Retry-After"]) >= 1


@pytest.mark.django_db
def test_anonymous_callers_are_limited_per_address(small_buckets):
    client = Client()
    address, other = fresh_address(), fresh_address()
    statuses = [
        client.get("/api/v4/system/ping", REMOTE_ADDR=address).status_code for _ in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    assert client.get("/api/v4/system/ping", REMOTE_ADDR=other).status_code == 200


@pytest.mark.django_db
def test_the_limit_can_be_switched_off(small_buckets):
    small_buckets.CONFAB_RATE_LIMIT_ENABLED = False
    client = Client()
    address = fresh_address()
    statuses = {
        client.get("/api/v4/system/ping", REMOTE_ADDR=address).status_code for _ in range(8)
    }
    assert statuses == {200}


def _bucket_behaviour(buckets, key: str) -> None:
    """Burst 3 at 2 per second: 3 at once, then one every half second."""
    rate = Rate(per_second=2, burst=3)
    start = 1_000 * SECOND_US
    assert [buckets.hit(key, rate, start) for _ in range(3)] == [0, 0, 0]
    assert buckets.hit(key, rate, start) == SECOND_US // 2
    assert buckets.hit(key, rate, start + SECOND_US // 4) == SECOND_US // 4
    assert buckets.hit(key, rate, start + SECOND_US // 2) == 0
    assert buckets.hit(key, rate, start + SECOND_US // 2) > 0
    # After a long quiet spell the whole burst is back, never more.
    later = start + 60 * SECOND_US
    assert [buckets.hit(key, rate, later) for _ in range(3)] == [0, 0, 0]
    assert buckets.hit(key, rate, later) > 0


def test_token_bucket_in_memory():
    _bucket_behaviour(MemoryBuckets(), "user:memory")


def test_token_bucket_in_redis_is_shared_between_processes():
    url = require_service("REDIS_URL")
    key = f"test:{secrets.token_hex(8)}"
    _bucket_behaviour(RedisBuckets(url), key)
    # Two stores, as two server processes would hold: one bucket.
    shared = f"test:{secrets.token_hex(8)}"
    rate = Rate(per_second=1, burst=2)
    first, second = RedisBuckets(url), RedisBuckets(url)
    now = 5_000 * SECOND_US
    assert first.hit(shared, rate, now) == 0
    assert second.hit(shared, rate, now) == 0
    assert first.hit(shared, rate, now) > 0
    assert second.hit(shared, rate, now) > 0


@pytest.mark.django_db
def test_requests_over_redis_are_limited(small_buckets, api_as):
    small_buckets.CONFAB_RATE_LIMIT_REDIS_URL = require_service("REDIS_URL")
    user = UserFactory()
    client = api_as(user)
    for _ in range(5):
        client.get("users/me")
    client.get("users/me", status=429)


@pytest.mark.django_db
def test_an_unreachable_store_falls_back_to_this_process(
    small_buckets, api_as, caplog, monkeypatch
):
    monkeypatch.setattr(ratelimit, "_store_down_until", 0.0)
    small_buckets.CONFAB_RATE_LIMIT_REDIS_URL = "redis://127.0.0.1:1/0"
    client = api_as(UserFactory())
    for _ in range(5):
        client.get("users/me")
    client.get("users/me", status=429)
    assert "limiting in this process" in caplog.text
    # Redis is not tried again for a while: one warning, not one per request.
    assert caplog.text.count("Rate limit store unavailable") == 1
    assert isinstance(ratelimit._store(), RedisBuckets)


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_forwarded_client_is_limited(small_buckets):
    small_buckets.CONFAB_TRUSTED_PROXIES = ["10.0.0.0/8"]
    client = Client()
    first, second = fresh_address(), fresh_address()

    def ping(forwarded_for: str) -> int:
        return client.get(
            "/api/v4/system/ping", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR=forwarded_for
        ).status_code

    assert [ping(f"{first}, 10.9.9.9") for _ in range(6)] == [200] * 5 + [429]
    # Another client behind the same proxy is unaffected.
    assert ping(second) == 200


def test_client_address_trusts_only_configured_proxies(settings):
    from django.test import RequestFactory

    from apps.core.addresses import client_address

    make = RequestFactory().get
    spoofed = make("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    settings.CONFAB_TRUSTED_PROXIES = []
    assert client_address(spoofed) == "203.0.113.5"
    settings.CONFAB_TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.1"]
    assert client_address(spoofed) == "203.0.113.5"  # not from a trusted proxy
    chain = make(
        "/",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9, 192.0.2.1, 10.0.0.7",
    )
    assert client_address(chain) == "203.0.113.9"  # the nearest untrusted hop
    garbled = make("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_address(garbled) == "10.0.0.2"


def test_ipv6_addresses_count_per_64_block():
    from apps.core.addresses import address_group

    assert address_group("2001:db8:1:2::1") == address_group("2001:db8:1:2:ffff::9")
    assert address_group("2001:db8:1:2::1") != address_group("2001:db8:1:3::1")
    assert address_group("::ffff:192.0.2.7") == "192.0.2.7"
    assert address_group("192.0.2.7") == "192.0.2.7"
