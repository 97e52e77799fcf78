"""SUT variants for tests/test_report_json.py (not mutants: the self-test does not run them).

``CxfActions`` answers exactly as the reference Central System does, except that the
wsa:Action of its responses is fully qualified (``urn://Ocpp/Cs/2015/10/...Response``), as
Apache CXF sends it: a real-world variant the validator reports as a warning, which
``--strict`` turns into a failure.
"""

from __future__ import annotations

from typing import Any

from ocppcert.reference.central_system import ReferenceCentralSystem
from ocppcert.transport import HttpReply

_PLAIN = b'<a:Action s:mustUnderstand="true">/'


class CxfActions(ReferenceCentralSystem):
    async def handle_http(self, body: bytes, info: Any) -> HttpReply:
        reply = await super().handle_http(body, info)
        if reply.status != 200 or _PLAIN not in reply.body:
            return reply
        qualified = _PLAIN.replace(b">/", b">urn://Ocpp/Cs/2015/10/")
        return HttpReply(reply.status, reply.body.replace(_PLAIN, qualified),
                         reply.content_type)
