"""apps.integrations.outbound against real loopback servers (SECURITY.md rows 13 and 14)."""

import ipaddress
import json
import threading
import time

import pytest

from apps.integrations import outbound
from apps.integrations.errors import OutboundFailed, OutboundRefused
from tests.loopback import reply


@pytest.fixture
def echo_server(server_factory):
    def echo(handler):
        last = srv.requests[-1]
        body = json.dumps(
            {
                "method": last["method"],
                "path": last["path"],
                "host": last["headers"].get("Host"),
                "content_type": last["headers"].get("Content-Type"),
                "body": last["body"].decode(),
            }
        ).encode()
        reply(handler, 200, body, {"Content-Type": "application/json", "X-Echo": "1"})

    srv = server_factory(echo)
    return srv


BYPASS_URLS = [
    "http://127.0.0.1:{port}/",
    "http://localhost:{port}/",
    "http://LOCALHOST:{port}/",
    "http://[::1]:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://[::ffff:7f00:1]:{port}/",
    "http://[64:ff9b::7f00:1]:{port}/",
    "http://2130706433:{port}/",
    "http://0x7f000001:{port}/",
    "http://0x7f.1:{port}/",
    "http://0177.0.0.1:{port}/",
    "http://017700000001:{port}/",
    "http://127.1:{port}/",
    "http://0.0.0.0:{port}/",
    "http://0:{port}/",
    "http://[::]:{port}/",
    "https://127.0.0.1:{port}/",
    "http://user:pw@127.0.0.1:{port}/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://169.254.169.254/latest/meta-data",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "ftp://127.0.0.1:{port}/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:{port}/",
    "127.0.0.1:{port}",
    "http:///nohost",
]


@pytest.mark.parametrize("template", BYPASS_URLS)
def test_bypass_urls_are_refused_before_any_request(server_factory, template):
    srv = server_factory(lambda h: reply(h, 200, b"secret"))
    url = template.format(port=srv.port)
    with pytest.raises(OutboundRefused):
        outbound.post_json(url, {"x": 1})
    with pytest.raises(OutboundRefused):
        outbound.get(url)
    assert srv.requests == []


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.31.255.255",
        "192.168.0.1",
        "100.127.255.254",
        "169.254.169.254",
        "0.0.0.0",  # noqa: S104
        "224.0.0.251",
        "255.255.255.255",
        "::1",
        "::",
        "::ffff:10.0.0.1",
        "::127.0.0.1",
        "64:ff9b::a00:1",
        "64:ff9b:1::1",
        "2002:7f00:1::1",
        "fe80::1",
        "fd12:3456::1",
        "ff02::1",
    ],
)
def test_forbidden_addresses(address):
    assert outbound.is_forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "64:ff9b::808:808"]
)
def test_public_addresses_pass(address):
    assert not outbound.is_forbidden_address(ipaddress.ip_address(address))


def test_a_name_resolving_to_any_private_address_is_refused(monkeypatch, server_factory):
    srv = server_factory(lambda h: reply(h, 200))

    def fake_getaddrinfo(host, port, *args, **kwargs):
        return [
            (2, 1, 6, "", ("93.184.215.14", port)),
            (2, 1, 6, "", ("127.0.0.1", port)),
        ]

    monkeypatch.setattr(outbound.socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(OutboundRefused):
        outbound.get(f"http://mixed.example:{srv.port}/")
    assert srv.requests == []


def test_unresolvable_host_fails():
    with pytest.raises(OutboundFailed):
        outbound.get("http://no-such-host.invalid/")


def test_allow_listed_loopback_json_round_trip(allow_loopback, echo_server):
    result = outbound.post_json(
        f"{echo_server.url}/hook?a=1", {"text": "hi"}, headers={"X-Token": "t"}
    )
    assert result.status == 200
    assert result.ok
    assert result.headers["x-echo"] == "1"
    echoed = result.json()
    assert echoed["method"] == "POST"
    assert echoed["path"] == "/hook?a=1"
    assert echoed["host"] == f"127.0.0.1:{echo_server.port}"
    assert echoed["content_type"] == "application/json"
    assert json.loads(echoed["body"]) == {"text": "hi"}
    assert echo_server.requests[0]["headers"]["X-Token"] == "t"


def test_allow_listed_loopback_form_post(allow_loopback, echo_server):
    result = outbound.post_form(f"{echo_server.url}/cmd", {"text": "a b", "team": "x"})
    echoed = result.json()
    assert echoed["content_type"] == "application/x-www-form-urlencoded"
    assert echoed["body"] == "text=a+b&team=x"


def test_allow_list_by_host_name(settings, echo_server):
    settings.CONFAB_OUTBOUND_ALLOWED_HOSTS = ["localhost"]
    result = outbound.post_json(f"http://localhost:{echo_server.port}/", {})
    assert result.json()["host"] == f"localhost:{echo_server.port}"


def test_connects_to_the_checked_address_not_a_new_lookup(monkeypatch, allow_loopback, echo_server):
    """DNS rebinding: the name is resolved once; the socket goes to the address checked."""
    calls = []
    real = outbound.socket.getaddrinfo

    def once(host, port, *args, **kwargs):
        calls.append(host)
        if len(calls) > 1:
            raise AssertionError("resolved twice")
        return [(2, 1, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(outbound.socket, "getaddrinfo", once)
    allow_loopback.CONFAB_OUTBOUND_ALLOWED_HOSTS = ["rebind.example"]
    try:
        result = outbound.post_json(f"http://rebind.example:{echo_server.port}/", {})
    finally:
        monkeypatch.setattr(outbound.socket, "getaddrinfo", real)
    assert calls == ["rebind.example"]
    assert result.json()["host"] == f"rebind.example:{echo_server.port}"


def test_not_allow_listed_without_the_setting(settings, echo_server):
    settings.CONFAB_OUTBOUND_ALLOWED_HOSTS = []
    with pytest.raises(OutboundRefused):
        outbound.post_json(echo_server.url, {})
    assert echo_server.requests == []


def test_non_2xx_is_returned_not_raised(allow_loopback, server_factory):
    srv = server_factory(lambda h: reply(h, 500, b"boom"))
    result = outbound.post_json(srv.url, {})
    assert result.status == 500
    assert not result.ok
    assert result.body == b"boom"


def test_redirect_to_non_allowed_private_address_is_refused(allow_loopback, server_factory):
    # 127.0.0.2 is loopback too but outside the allow-listed 127.0.0.1/32.
    inner = server_factory(lambda h: reply(h, 200, b"internal"), host="127.0.0.2")
    outer = server_factory(
        lambda h: reply(h, 302, headers={"Location": f"http://127.0.0.2:{inner.port}/admin"})
    )
    with pytest.raises(OutboundRefused):
        outbound.post_json(outer.url, {})
    assert len(outer.requests) == 1
    assert inner.requests == []


@pytest.mark.parametrize(
    "location",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::ffff:127.0.0.2]/",
        "http://2130706434/",
        "file:///etc/passwd",
    ],
)
def test_redirect_targets_are_checked(allow_loopback, server_factory, location):
    outer = server_factory(lambda h: reply(h, 301, headers={"Location": location}))
    with pytest.raises(OutboundRefused):
        outbound.get(outer.url)


def test_allowed_redirect_is_followed_and_post_becomes_get(allow_loopback, server_factory):
    final = server_factory(lambda h: reply(h, 200, b"done"))
    outer = server_factory(
        lambda h: reply(h, 303, headers={"Location": f"http://127.0.0.1:{final.port}/end"})
    )
    result = outbound.post_json(outer.url, {"a": 1})
    assert result.body == b"done"
    assert result.url == f"http://127.0.0.1:{final.port}/end"
    assert final.requests[0]["method"] == "GET"
    assert final.requests[0]["body"] == b""


def test_307_keeps_method_and_body_and_cross_origin_drops_credentials(
    allow_loopback, server_factory
):
    final = server_factory(lambda h: reply(h, 200, b"done"))
    outer = server_factory(
        lambda h: reply(h, 307, headers={"Location": f"http://127.0.0.1:{final.port}/"})
    )
    outbound.post_json(outer.url, {"a": 1}, headers={"Authorization": "Token s3cret"})
    assert outer.requests[0]["headers"]["Authorization"] == "Token s3cret"
    assert final.requests[0]["method"] == "POST"
    assert json.loads(final.requests[0]["body"]) == {"a": 1}
    assert "Authorization" not in final.requests[0]["headers"]


def test_at_most_three_redirects(allow_loopback, server_factory):
    loop = server_factory(lambda h: reply(h, 302, headers={"Location": "/again"}))
    with pytest.raises(OutboundFailed):
        outbound.get(loop.url)
    assert len(loop.requests) == outbound.MAX_REDIRECTS + 1


def test_slow_server_times_out_quickly(allow_loopback, server_factory):
    release = threading.Event()

    def slow(handler):
        release.wait(10)
        reply(handler, 200, b"late")

    srv = server_factory(slow)
    started = time.monotonic()
    try:
        with pytest.raises(OutboundFailed):
            outbound.post_json(srv.url, {}, timeout=1.0)
    finally:
        release.set()
    assert time.monotonic() - started < 1.0 + 2.0


def test_trickling_server_is_cut_at_the_total_deadline(allow_loopback, server_factory):
    """Each byte arrives within any per-read timeout; the total deadline still holds."""
    stop = threading.Event()

    def trickle(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        while not stop.is_set():
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.05)

    srv = server_factory(trickle)
    started = time.monotonic()
    try:
        with pytest.raises(OutboundFailed):
            outbound.get(srv.url, timeout=1.0)
    finally:
        stop.set()
    assert time.monotonic() - started < 1.0 + 2.0


def test_huge_response_is_refused_at_the_cap(allow_loopback, server_factory):
    sent = {"bytes": 0}
    stop = threading.Event()

    def huge(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", str(1024 * 1024 * 1024))
        handler.end_headers()
        block = b"x" * 65536
        while not stop.is_set() and sent["bytes"] < 1024 * 1024 * 1024:
            handler.wfile.write(block)
            sent["bytes"] += len(block)

    srv = server_factory(huge)
    started = time.monotonic()
    try:
        with pytest.raises(OutboundFailed) as excinfo:
            outbound.get(srv.url, max_body=256 * 1024)
    finally:
        stop.set()
    assert "size limit" in str(excinfo.value)
    assert time.monotonic() - started < 5
    # Stopped near the cap: far less than the gigabyte on offer was sent.
    assert sent["bytes"] < 64 * 1024 * 1024


def test_response_at_the_cap_is_accepted(allow_loopback, server_factory):
    srv = server_factory(lambda h: reply(h, 200, b"y" * 1000))
    assert outbound.get(srv.url, max_body=1000).body == b"y" * 1000
    with pytest.raises(OutboundFailed):
        outbound.get(srv.url, max_body=999)


def test_errors_are_confab_errors():
    from apps.core.errors import ConfabError

    assert issubclass(OutboundRefused, ConfabError)
    assert issubclass(OutboundFailed, ConfabError)
    assert OutboundRefused("x").status_code == 400
    assert OutboundFailed("x").status_code == 502


def _self_signed(tmp_path, name):
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = tmp_path / f"{name}.pem"
    key_path = tmp_path / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_server(tmp_path, server_factory, monkeypatch, settings):
    """An HTTPS loopback server whose certificate names `hooks.test`; that name resolves
    (once, by a stub) to 127.0.0.1 and is allow-listed; the client trusts the certificate."""
    import ssl

    cert_path, key_path = _self_signed(tmp_path, "hooks.test")
    seen_sni = []
    srv = server_factory(lambda h: reply(h, 200, b"tls ok"))
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_path, key_path)
    server_context.sni_callback = lambda sock, name, ctx: seen_sni.append(name)
    srv.httpd.socket = server_context.wrap_socket(srv.httpd.socket, server_side=True)

    def client_context():
        return ssl.create_default_context(cafile=str(cert_path))

    monkeypatch.setattr(outbound, "_ssl_context", client_context)

    def resolve(host, port, *args, **kwargs):
        return [(2, 1, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(outbound.socket, "getaddrinfo", resolve)
    settings.CONFAB_OUTBOUND_ALLOWED_HOSTS = ["hooks.test", "other.test"]
    srv.seen_sni = seen_sni
    return srv


def test_https_uses_the_original_name_for_sni_and_certificate(tls_server):
    result = outbound.post_json(f"https://hooks.test:{tls_server.port}/x", {})
    assert result.body == b"tls ok"
    assert tls_server.seen_sni == ["hooks.test"]
    assert tls_server.requests[0]["headers"]["Host"] == f"hooks.test:{tls_server.port}"


def test_https_certificate_for_another_name_fails(tls_server):
    with pytest.raises(OutboundFailed):
        outbound.post_json(f"https://other.test:{tls_server.port}/x", {})
    assert tls_server.requests == []
