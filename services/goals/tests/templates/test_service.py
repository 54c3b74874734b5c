"""The rules of strategy templates (service.py) called directly."""

from __future__ import annotations

import pytest

from kit.errors import NotFound
from services.goals.templates import service as templates


def test_a_non_ascii_digit_key_is_simply_not_found():
    with pytest.raises(NotFound):
        templates.get_template(session=None, user_id=1, key="³")
