"""Login throttling (django-axes): per user name and address together; the address is the TCP
peer's unless that peer is one of our proxies; headers a client sends itself are never read."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.throttle import attempted_username, client_address
from tests.factories import make_body, make_user

PASSWORD = "mat-khau-thu-1"
OFFICE_NAT = "203.0.113.7"  # one public address for a whole office
ELSEWHERE = "198.51.100.20"
PROXY = "10.0.0.5"


@pytest.fixture
def people(db):
    body = make_body(code="stttt", name="Sở Thông tin và Truyền thông", symbol="STTTT")
    duc = make_user(username="duc.lm", full_name="Lê Minh Đức", body=body, role="member")
    anh = make_user(username="anh.pt", full_name="Phạm Thị Ánh", body=body, role="member")
    return duc, anh


def _login(username: str, password: str, *, peer: str, **headers: str):
    client = Client(REMOTE_ADDR=peer, headers=headers)
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    return response, client


def _fail_five_times(username: str, *, peer: str, **headers: str) -> None:
    for _ in range(5):
        _login(username, "sai", peer=peer, **headers)


def _locked(response) -> bool:
    return response.status_code == 429 and "Đăng nhập sai quá nhiều lần" in (
        response.content.decode()
    )


def _logged_in(response, client) -> bool:
    return response.status_code == 302 and "_auth_user_id" in client.session


def test_five_failures_lock_that_name_at_that_address(people):
    for attempt in range(4):
        response, _ = _login("duc.lm", "sai", peer=OFFICE_NAT)
        assert response.status_code == 200, attempt
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    response, _ = _login("duc.lm", "sai", peer=OFFICE_NAT)
    assert _locked(response)  # the fifth failure uses up the last try
    response, client = _login("duc.lm", PASSWORD, peer=OFFICE_NAT)
    assert _locked(response) and "_auth_user_id" not in client.session


def test_a_colleague_behind_the_same_address_still_logs_in(people):
    _fail_five_times("duc.lm", peer=OFFICE_NAT)
    assert _logged_in(*_login("anh.pt", PASSWORD, peer=OFFICE_NAT))


def test_the_same_name_from_another_address_still_logs_in(people):
    _fail_five_times("duc.lm", peer=OFFICE_NAT)
    assert _logged_in(*_login("duc.lm", PASSWORD, peer=ELSEWHERE))


def test_spoofed_forwarding_headers_from_a_client_do_not_dodge_the_lock(people):
    _fail_five_times("duc.lm", peer=OFFICE_NAT)
    for header in ("X-Forwarded-For", "X-Real-IP", "Forwarded", "Client-IP"):
        response, _ = _login("duc.lm", PASSWORD, peer=OFFICE_NAT, **{header: ELSEWHERE})
        assert _locked(response), header


def test_spoofed_headers_do_not_spread_failures_to_others(people):
    """Failures with a forged header count against the sender's own address, nobody else's."""
    _fail_five_times("duc.lm", peer=OFFICE_NAT, **{"X-Forwarded-For": ELSEWHERE})
    assert _logged_in(*_login("duc.lm", PASSWORD, peer=ELSEWHERE))


def test_behind_a_trusted_proxy_the_forwarded_address_counts(people, settings):
    settings.KYHOP_TRUSTED_PROXIES = ["10.0.0.0/24"]
    # nginx's $proxy_add_x_forwarded_for: whatever the client sent, then the address it saw.
    via_proxy = {"X-Forwarded-For": f"{ELSEWHERE}, {OFFICE_NAT}"}
    _fail_five_times("duc.lm", peer=PROXY, **via_proxy)
    assert _locked(_login("duc.lm", PASSWORD, peer=PROXY, **via_proxy)[0])
    # Everyone else reaches us through the same proxy and is not locked with the office.
    other_office = {"X-Forwarded-For": ELSEWHERE}
    assert _logged_in(*_login("duc.lm", PASSWORD, peer=PROXY, **other_office))


def test_the_proxy_header_name_is_a_setting(people, settings):
    settings.KYHOP_TRUSTED_PROXIES = [PROXY]
    settings.KYHOP_PROXY_HEADER = "X-Real-IP"
    _fail_five_times("duc.lm", peer=PROXY, **{"X-Real-IP": OFFICE_NAT})
    assert _locked(_login("duc.lm", PASSWORD, peer=PROXY, **{"X-Real-IP": OFFICE_NAT})[0])
    # X-Forwarded-For is not the configured header: it is ignored even from the proxy.
    response, _ = _login(
        "duc.lm", PASSWORD, peer=PROXY, **{"X-Real-IP": OFFICE_NAT, "X-Forwarded-For": ELSEWHERE}
    )
    assert _locked(response)


def test_a_locked_out_page_is_vietnamese_and_english_through_the_catalogue(people):
    _fail_five_times("duc.lm", peer=OFFICE_NAT)
    client = Client(REMOTE_ADDR=OFFICE_NAT)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(reverse("accounts:login"), {"username": "duc.lm", "password": "x"})
    assert response.status_code == 429
    assert "Too many failed log-ins. Please try again in 15 minutes." in response.content.decode()


def test_the_admin_login_is_throttled_too(people):
    _fail_five_times("duc.lm", peer=OFFICE_NAT)
    client = Client(REMOTE_ADDR=OFFICE_NAT)
    response = client.post(reverse("admin:login"), {"username": "duc.lm", "password": PASSWORD})
    assert _locked(response)


def test_a_successful_login_starts_the_count_again(people):
    for _ in range(4):
        _login("duc.lm", "sai", peer=OFFICE_NAT)
    assert _logged_in(*_login("duc.lm", PASSWORD, peer=OFFICE_NAT))
    for _ in range(4):
        response, _ = _login("duc.lm", "sai", peer=OFFICE_NAT)
    assert response.status_code == 200


def test_the_same_name_in_other_letters_counts_as_the_same_name(people):
    _fail_five_times("DUC.LM", peer=OFFICE_NAT)
    full_width = "ｄｕｃ.ｌｍ"  # NFKC makes it "duc.lm", and Django's login form logs it in
    assert _locked(_login(full_width, PASSWORD, peer=OFFICE_NAT)[0])
    assert _locked(_login("duc.lm", PASSWORD, peer=OFFICE_NAT)[0])


@pytest.mark.parametrize(
    ("peer", "header", "expected"),
    [
        ("203.0.113.7", "1.2.3.4", "203.0.113.7"),  # no proxy trusted: the header is ignored
        ("10.0.0.5", "198.51.100.20", "198.51.100.20"),
        ("10.0.0.5", "6.6.6.6, 198.51.100.20", "198.51.100.20"),  # left part is the client's
        ("10.0.0.5", "6.6.6.6, 198.51.100.20, 10.0.0.9", "198.51.100.20"),  # two proxies
        ("10.0.0.5", "[2001:db8::1]:4711", "2001:db8::1"),
        ("10.0.0.5", "garbage, 198.51.100.20", "198.51.100.20"),
        ("10.0.0.5", "", "10.0.0.5"),  # our proxy sent no header: its own address
        ("10.0.0.5", "10.0.0.7", "10.0.0.7"),  # a client inside our network
        ("::ffff:203.0.113.7", "", "203.0.113.7"),
    ],
)
def test_client_address(settings, peer, header, expected):
    settings.KYHOP_TRUSTED_PROXIES = ["10.0.0.0/24"]
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=header)
    if peer == "203.0.113.7":
        settings.KYHOP_TRUSTED_PROXIES = []
    assert client_address(request) == expected


def test_attempted_username_is_normalised():
    request = RequestFactory().post("/", {"username": " Ｄuc.LM "})
    assert attempted_username(request) == "duc.lm"
    assert attempted_username(request, {"username": "ANH"}) == "anh"


@pytest.mark.live
def test_a_real_server_ignores_forwarding_headers_from_a_client(server_process):
    """uvicorn as deployed: a client on the loopback cannot pick its address with a header."""
    import http.cookiejar
    import re
    import urllib.error
    import urllib.parse
    import urllib.request

    make_user(username="duc.lm", full_name="Lê Minh Đức", password=PASSWORD)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def attempt(password: str, forwarded_for: str) -> int:
        url = f"{server_process}/dang-nhap/"
        with opener.open(url, timeout=10) as page:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
        assert token is not None, "the login page carries no CSRF token"
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "username": "duc.lm", "password": password}
        ).encode()
        request = urllib.request.Request(
            url, body, headers={"X-Forwarded-For": forwarded_for, "X-Real-IP": forwarded_for}
        )
        try:
            with opener.open(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    statuses = [attempt("sai", f"198.51.100.{n}") for n in range(1, 6)]
    assert statuses == [200, 200, 200, 200, 429]
    assert attempt(PASSWORD, "192.0.2.99") == 429
