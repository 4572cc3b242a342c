"""The whole test run has the network blocked (pytest-socket, set in pyproject.toml)."""

import socket

import pytest
from pytest_socket import SocketConnectBlockedError


def test_connections_outside_the_allowed_loopback_hosts_are_blocked():
    # 127.0.0.2 is loopback too, so even if blocking failed nothing would leave the machine;
    # it is not in --allow-hosts, so pytest-socket must refuse it before any packet is sent.
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(SocketConnectBlockedError), pytest.warns(UserWarning, match="127.0.0.2"):
            s.connect(("127.0.0.2", 9))
    finally:
        s.close()


def test_blocking_is_configured_for_the_whole_run(pytestconfig):
    assert pytestconfig.getoption("allow_hosts") in ("127.0.0.1,::1", ["127.0.0.1", "::1"])
