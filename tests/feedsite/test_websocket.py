import pytest

from feedsite.websocket import origin_allowed, parse_origin


def handshake(origin: str | None, host: str | None = "shop.example", scheme: str = "ws", also: str | None = None):
    headers = [(b"host", host.encode())] if host is not None else []
    headers += [(b"origin", value.encode()) for value in (origin, also) if value is not None]
    return {"type": "websocket", "scheme": scheme, "headers": headers}


@pytest.fixture(autouse=True)
def _site(settings):
    settings.ALLOWED_HOSTS = ["shop.example", "localhost"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.shop.example"]


@pytest.mark.parametrize(
    ("scope", "allowed"),
    [
        pytest.param(handshake("http://shop.example"), True, id="same-origin"),
        pytest.param(handshake("https://shop.example", scheme="wss"), True, id="same-origin-tls"),
        pytest.param(handshake("http://localhost:8000", host="localhost:8000"), True, id="same-port"),
        pytest.param(handshake("https://app.shop.example"), True, id="trusted-origin"),
        pytest.param(handshake("https://shop.example"), False, id="other-scheme"),
        pytest.param(handshake("http://shop.example", scheme="wss"), False, id="downgraded-scheme"),
        pytest.param(handshake("http://localhost:8001", host="localhost:8000"), False, id="other-port"),
        pytest.param(handshake("http://evil.example"), False, id="other-host"),
        pytest.param(handshake("http://evil.example", host="evil.example"), False, id="host-not-served"),
        pytest.param(handshake("http://shop.example.evil.example"), False, id="suffix-trick"),
        pytest.param(handshake(None), False, id="no-origin"),
        pytest.param(handshake("null"), False, id="opaque-origin"),
        pytest.param(handshake("http://shop.example", host=None), False, id="no-host"),
        pytest.param(handshake("http://shop.example", also="http://evil.example"), False, id="two-origins"),
    ],
)
def test_only_the_sites_own_origin_opens_a_socket(scope, allowed):
    assert origin_allowed(scope) is allowed


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://Shop.Example", ("https", "shop.example", 443)),
        ("http://shop.example:8080", ("http", "shop.example", 8080)),
        ("ftp://shop.example", None),
        ("http://shop.example:99999", None),
        ("", None),
    ],
)
def test_origins_compare_by_scheme_host_and_port(value, expected):
    assert parse_origin(value) == expected
