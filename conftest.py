"""Settings every test session shares, before any part reads its settings."""

import os

# The recorded vendors and the webhook receivers of the tests listen on 127.0.0.1: let outbound calls reach them.
# kit/tests/test_outbound.py passes its own ranges, so the default refusal is tested too.
os.environ.setdefault("EFFEKT_OUTBOUND_ALLOW", "loopback")
