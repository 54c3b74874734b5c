import time

import pytest

from kit.errors import Forbidden, Unauthorized
from kit.identity import Principal, sign_identity, verify_identity
from kit.roles import Role

KEY = "a-test-signing-key-that-is-long-enough-for-hs256"
P = Principal(user_id=7, workspace_id=3, role=Role.editor, token_id=11)


def test_round_trip_keeps_user_workspace_role_and_token():
    assert verify_identity(KEY, sign_identity(KEY, P)) == P


def test_expired_identity_is_refused():
    token = sign_identity(KEY, P, ttl=30, now=time.time() - 60)
    with pytest.raises(Unauthorized, match="expired"):
        verify_identity(KEY, token)


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", sign_identity(KEY + "x", P)])
def test_forged_or_garbage_identity_is_refused(token):
    with pytest.raises(Unauthorized):
        verify_identity(KEY, token)


def test_role_order_and_require():
    assert Role.owner.at_least(Role.admin) and Role.editor.at_least(Role.viewer)
    assert not Role.viewer.at_least(Role.editor)
    P.require(Role.viewer)
    with pytest.raises(Forbidden):
        P.require(Role.admin)


def test_the_workspace_time_zone_travels_and_gives_its_own_today():
    from dataclasses import replace
    from datetime import datetime
    from zoneinfo import ZoneInfo

    east, west = replace(P, timezone="Pacific/Kiritimati"), replace(P, timezone="Etc/GMT+12")  # 26 hours apart
    assert verify_identity(KEY, sign_identity(KEY, east)).timezone == "Pacific/Kiritimati"
    assert verify_identity(KEY, sign_identity(KEY, P)).timezone == "UTC"
    assert east.today() == datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    assert (east.today() - west.today()).days in (1, 2)  # never the same day
    assert replace(P, timezone="Mars/Olympus").today() == datetime.now(ZoneInfo("UTC")).date()


def test_a_checked_identity_is_remembered_only_while_it_is_valid():
    from kit.identity import checked_identity

    principal = Principal(user_id=3, workspace_id=4, role=Role.editor)
    token = sign_identity(KEY, principal, ttl=2)
    assert checked_identity(KEY, token) == principal
    assert checked_identity(KEY, token) == principal  # remembered: the same answer
    with pytest.raises(Unauthorized):
        checked_identity("another-key-of-32-bytes-at-least!!", token)  # remembered per key, never across keys
    with pytest.raises(Unauthorized):
        checked_identity(KEY, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))  # a changed signature
    time.sleep(2.1)
    with pytest.raises(Unauthorized):
        checked_identity(KEY, token)  # expired: refused though it was remembered
