"""The direct fan-out path (chat.realtime.wsdirect) relies on daphne's, autobahn's and Twisted's
internals as of the versions it was verified with: any other version turns it off."""

from __future__ import annotations

import functools
import logging
import pprint
from collections.abc import Iterator
from typing import Any

import pytest

from chat.realtime import wsdirect

# Stand-ins for daphne's `send` and the writer of a connection the direct path knows.
send = functools.partial(print, None)
writable: Any = object()


@pytest.fixture
def fresh_check() -> Iterator[None]:
    wsdirect.available.cache_clear()
    yield
    wsdirect.available.cache_clear()


def test_installed_versions_are_the_verified_ones() -> None:
    # Fails after an upgrade in requirements/base.txt until the direct path is verified again
    # against the new versions and VERIFIED_WITH is updated.
    assert wsdirect.installed_versions() == wsdirect.VERIFIED_WITH


def test_other_versions_turn_the_direct_path_off_with_one_warning(
    fresh_check: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # given: a connection the direct path could write, and a newer autobahn than the one verified
    monkeypatch.setattr(wsdirect, "_daphne_connection", lambda send: writable)
    monkeypatch.setattr(wsdirect, "installed_versions", lambda: {**wsdirect.VERIFIED_WITH, "autobahn": "27.1.0"})

    # when: the process checks, and later sockets ask for the direct path
    with caplog.at_level(logging.WARNING, logger=wsdirect.__name__):
        available = wsdirect.available()
        direct = [wsdirect.for_send(send) for _ in range(3)]

    # then: off, said once
    assert available is False and direct == [None, None, None]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "27.1.0" in warnings[0].getMessage()


def test_the_verified_versions_leave_the_direct_path_on(fresh_check: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wsdirect, "_daphne_connection", lambda send: writable)
    monkeypatch.setattr(wsdirect, "installed_versions", lambda: dict(wsdirect.VERIFIED_WITH))

    assert wsdirect.available() is True and wsdirect.for_send(send) is writable


def test_a_missing_package_turns_the_direct_path_off(fresh_check: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wsdirect, "installed_versions", lambda: {**wsdirect.VERIFIED_WITH, "daphne": None})

    assert wsdirect.available() is False


def test_autobahn_connection_logs_read_the_same_when_formatted_on_demand() -> None:
    from autobahn.websocket import protocol

    from chat.realtime.autobahn_logs import Formatted, defer_connection_logs

    options = [("openHandshakeTimeout", 5, "WebSocketServerFactory"), ("autoPingInterval", 0, "X")]
    assert defer_connection_logs()  # the verified autobahn
    # the line autobahn writes when debug logging is on is the same text as before
    assert f"\n{protocol.pformat(options)}" == "\n" + pprint.pformat(options)
    assert isinstance(protocol.pformat(options), Formatted)
    timings = protocol.Timings()
    timings.track("opened")
    assert str(timings) == pprint.pformat(timings._timings)
