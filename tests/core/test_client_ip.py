"""The client's address is REMOTE_ADDR, unless a proxy we trust says who it forwarded for."""

import pytest
from django.test import RequestFactory, override_settings

from openpo.core.client_ip import UNKNOWN, client_ip, trusted_networks

PROXY = "10.0.0.5"


def request_from(remote_addr: str, forwarded_for: str | None = None):
    headers = {} if forwarded_for is None else {"X-Forwarded-For": forwarded_for}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, headers=headers)


@override_settings(TRUSTED_PROXIES=[])
def test_it_ignores_x_forwarded_for_when_no_proxy_is_trusted():
    assert client_ip(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_it_ignores_x_forwarded_for_from_an_untrusted_sender():
    assert client_ip(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_it_takes_the_address_a_trusted_proxy_forwarded_for():
    assert client_ip(request_from(PROXY, "198.51.100.1")) == "198.51.100.1"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8", "192.0.2.10"])
def test_it_walks_back_through_chained_trusted_proxies():
    # client → CDN edge 192.0.2.10 → load balancer 10.0.0.9 → nginx 10.0.0.5 → OpenPO
    request = request_from(PROXY, "198.51.100.1, 192.0.2.10, 10.0.0.9")
    assert client_ip(request) == "198.51.100.1"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_it_ignores_addresses_the_client_wrote_left_of_itself():
    # The client sent "X-Forwarded-For: 1.1.1.1, 10.0.0.1"; our proxy appended its address.
    request = request_from(PROXY, "1.1.1.1, 10.0.0.1, 198.51.100.1")
    assert client_ip(request) == "198.51.100.1"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_it_reads_repeated_headers_as_one_list():
    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6,198.51.100.1"
    )
    assert client_ip(request) == "198.51.100.1"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
@pytest.mark.parametrize("garbage", ["unknown", "999.1.1.1", "<script>", "1.2.3.4.5"])
def test_it_stops_at_a_malformed_entry_and_keeps_the_last_trusted_hop(garbage):
    request = request_from(PROXY, f"198.51.100.1, {garbage}, 10.0.0.9")
    assert client_ip(request) == "10.0.0.9"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_it_skips_empty_list_elements():
    assert client_ip(request_from(PROXY, "198.51.100.1, , ")) == "198.51.100.1"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_it_falls_back_to_the_proxy_when_the_header_is_missing_or_empty():
    assert client_ip(request_from(PROXY)) == PROXY
    assert client_ip(request_from(PROXY, "")) == PROXY


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_it_reads_addresses_with_a_port():
    assert client_ip(request_from(PROXY, "198.51.100.1:50123")) == "198.51.100.1"
    assert client_ip(request_from(PROXY, "[2001:DB8::1]:443")) == "2001:db8::1"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_it_answers_the_last_trusted_proxy_when_every_hop_is_trusted():
    assert client_ip(request_from(PROXY, "10.1.1.1, 10.2.2.2")) == "10.1.1.1"


@override_settings(TRUSTED_PROXIES=[])
def test_it_writes_ipv6_in_its_short_lowercase_form():
    assert client_ip(request_from("2001:0DB8:0000:0000:0000:0000:0000:0001")) == "2001:db8::1"


@override_settings(TRUSTED_PROXIES=[])
def test_it_unwraps_ipv4_mapped_ipv6_addresses():
    # What REMOTE_ADDR looks like when the server listens on [::].
    assert client_ip(request_from("::ffff:203.0.113.7")) == "203.0.113.7"


@override_settings(TRUSTED_PROXIES=["fd00::/8"])
def test_it_trusts_ipv6_proxies_and_their_ipv6_clients():
    request = request_from("fd00::5", "2001:db8:0:0::42, fd00::9")
    assert client_ip(request) == "2001:db8::42"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_it_trusts_a_proxy_that_reaches_us_over_ipv4_mapped_ipv6():
    assert client_ip(request_from("::ffff:10.0.0.5", "198.51.100.1")) == "198.51.100.1"


@override_settings(TRUSTED_PROXIES=[])
def test_it_answers_unknown_when_remote_addr_is_not_an_address():
    assert client_ip(request_from("")) == UNKNOWN
    assert client_ip(request_from("unix:/run/openpo.sock")) == UNKNOWN


def test_it_parses_trusted_proxies_as_addresses_or_networks():
    networks = trusted_networks(("10.0.0.5", " 192.168.0.0/16 ", "", "fd00::/8"))
    assert [str(network) for network in networks] == [
        "10.0.0.5/32",
        "192.168.0.0/16",
        "fd00::/8",
    ]


def test_it_refuses_a_trusted_proxy_that_is_not_an_address():
    with pytest.raises(ValueError):
        trusted_networks(("proxy.example.com",))
