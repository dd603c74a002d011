"""Names are stored in one form (IDNA A-label, lowercase, no trailing dot) and every shape that
cannot be a tenant's own domain is refused with its own code."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tenants.domains.errors import DomainRefused
from tenants.domains.names import display_name, host_key, is_apex, normalise_domain


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Chat.Example-Corp.COM", "chat.example-corp.com"),
        ("chat.example-corp.com.", "chat.example-corp.com"),
        ("  chat.example-corp.com  ", "chat.example-corp.com"),
        ("Bücher.example-corp.com", "xn--bcher-kva.example-corp.com"),
        ("xn--bcher-kva.example-corp.com", "xn--bcher-kva.example-corp.com"),
        ("\uff43\uff48\uff41\uff54\uff0eexample-corp.com", "chat.example-corp.com"),  # full-width letters and dot
        ("chat.example.co.uk", "chat.example.co.uk"),
    ],
)
def test_spellings_of_one_name_are_stored_alike(typed: str, stored: str) -> None:
    assert normalise_domain(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("192.0.2.10", "ip_address"),
        ("2001:db8::1", "ip_address"),
        ("[2001:db8::1]", "ip_address"),
        ("10.0.0.1.", "ip_address"),
        ("localhost", "localhost"),
        ("app.localhost", "localhost"),
        ("*.example-corp.com", "wildcard"),
        ("intranet", "single_label"),
        ("a" * 64 + ".example-corp.com", "label_too_long"),
        ("x" * 2000 + ".com", "name_too_long"),
        ("co.uk", "public_suffix"),
        ("github.io", "public_suffix"),
        ("chat.example-corp.internal", "unknown_tld"),
        ("https://chat.example-corp.com/", "invalid_characters"),
        ("chat.example-corp.com:8443", "invalid_characters"),
        ("chat_room.example-corp.com", "invalid_characters"),
        ("-chat.example-corp.com", "invalid_characters"),
        ("chat..example-corp.com", "invalid_domain"),
        ("☃☃ not a domain ☃☃", "invalid_characters"),
        ("xn--abc.example-corp.com", "invalid_domain"),
    ],
)
def test_refused_shapes_say_why(typed: str, code: str) -> None:
    with pytest.raises(DomainRefused) as refused:
        normalise_domain(typed)

    assert refused.value.code == code
    assert refused.value.message.endswith(".")


@override_settings(PLATFORM_DOMAIN="parley.example")
def test_the_platform_domain_and_its_subdomains_are_refused() -> None:
    for typed in ("parley.example", "acme.parley.example", "Customers.Parley.Example."):
        with pytest.raises(DomainRefused) as refused:
            normalise_domain(typed)
        assert refused.value.code == "platform_domain"


def name_of_length(length: int) -> str:
    """Three 63-byte labels, one to fill up, then `.com`."""
    return ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * (length - 3 * 64 - 4)]) + ".com"


def test_a_253_byte_name_is_the_longest_accepted() -> None:
    assert len(normalise_domain(name_of_length(253))) == 253
    with pytest.raises(DomainRefused) as refused:
        normalise_domain(name_of_length(254))
    assert refused.value.code == "name_too_long"


def test_apex_is_the_registrable_domain() -> None:
    assert is_apex("example-corp.com") and is_apex("example.co.uk")
    assert not is_apex("chat.example-corp.com") and not is_apex("chat.example.co.uk")


def test_hosts_and_display_names() -> None:
    assert host_key("Chat.Example.com:8443") == "chat.example.com"
    assert host_key("chat.example.com.") == "chat.example.com"
    assert display_name("xn--bcher-kva.example") == "bücher.example"
