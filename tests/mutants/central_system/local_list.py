"""Mutants of the reference Central System: the Local Authorization List."""

from __future__ import annotations

import asyncio
from typing import Any

from ocppcert.messages import Kind, Message, Op, message_class
from ocppcert.reference.central_system import ReferenceCentralSystem
from ocppcert.reference.central_system.local_list import (
    DIFFERENTIAL,
    FULL,
    ListEntry,
    list_hash,
)
from ocppcert.versions import OcppVersion, Service
from tests.mutants.central_system import ids, own_ids

LIST_VERSIONS = ("1.6", "1.5")


class SyncsOnAnyMismatch(ReferenceCentralSystem):
    """Pushes its Full list whenever a reported listVersion differs from its own, -1 (not
    supported) included."""

    KILLS = ids("042_1", LIST_VERSIONS)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._pushes: set[asyncio.Task[Any]] = set()

    async def command(self, identity: str, request: Any, **kwargs: Any) -> Message:
        response = await super().command(identity, request, **kwargs)
        if isinstance(request, Message) and request.OP is Op.GET_LOCAL_LIST_VERSION:
            state, current = self.store.local_list(identity)
            own = state["version"] if state else 0
            if response.list_version != own:
                _, version = self._charge_point_for_command(identity)
                whole = sorted(current.values(), key=lambda e: e.key)
                push = asyncio.ensure_future(self._send_list_update(
                    identity, version, FULL, own, whole, list_hash(whole), current,
                    automatic=True))
                self._pushes.add(push)
                push.add_done_callback(self._pushes.discard)
        return response


class CachesListVersion(ReferenceCentralSystem):
    """Answers GetLocalListVersion from its record of the last accepted update instead of
    asking the charge point."""

    KILLS = ids("042_2", LIST_VERSIONS)

    async def command(self, identity: str, request: Any, **kwargs: Any) -> Message:
        if isinstance(request, Message) and request.OP is Op.GET_LOCAL_LIST_VERSION:
            state, _ = self.store.local_list(identity)
            known = (state or {}).get("acknowledged_version")
            if known is not None:
                cls = message_class(OcppVersion(request.VERSION), Service.CHARGE_POINT,
                                    Op.GET_LOCAL_LIST_VERSION, Kind.RESPONSE)
                return cls.from_json({"listVersion": known})
        return await super().command(identity, request, **kwargs)


class RetriesAfterNotSupported(ReferenceCentralSystem):
    """Sends the Full list again after any answer but Accepted, NotSupported included."""

    KILLS = ids("043_1", LIST_VERSIONS)

    async def send_local_list(self, identity: str, update_type: str, entries: Any
                              ) -> dict[str, Any]:
        outcome = await super().send_local_list(identity, update_type, entries)
        if outcome["status"] == "NotSupported":
            _, version = self._charge_point_for_command(identity)
            state, current = self.store.local_list(identity)
            whole = sorted(current.values(), key=lambda e: e.key)
            outcome["resent"] = await self._send_list_update(
                identity, version, FULL, state["version"], whole, state["hash"], current,
                automatic=True)
        return outcome


class ResendsDifferential(ReferenceCentralSystem):
    """After a failed Differential update it resends the whole list as Differential, not
    Full."""

    KILLS = ids("043_3", LIST_VERSIONS) + own_ids("LOCALLIST_002_CSMS", LIST_VERSIONS)

    async def _send_list_update(self, identity: str, version: OcppVersion, update_type: str,
                                *args: Any, automatic: bool, **kwargs: Any) -> Any:
        if automatic:
            update_type = DIFFERENTIAL
        return await super()._send_list_update(identity, version, update_type, *args,
                                               automatic=automatic, **kwargs)


class ListsAcceptedOnly(ReferenceCentralSystem):
    """Leaves every tag that is not Accepted (Blocked, Expired, ...) out of a Full list."""

    KILLS = ids("043_4", LIST_VERSIONS)

    async def _send_list_update(self, identity: str, version: OcppVersion, update_type: str,
                                list_version: int, sent: list[ListEntry], *args: Any,
                                **kwargs: Any) -> Any:
        if update_type == FULL:
            sent = [e for e in sent if e.status == "Accepted"]
        return await super()._send_list_update(identity, version, update_type, list_version,
                                               sent, *args, **kwargs)


class DifferentialSendsWholeList(ReferenceCentralSystem):
    """Sends the whole new list in a Differential update instead of only the changes."""

    KILLS = ids("043_5", LIST_VERSIONS)

    async def _send_list_update(self, identity: str, version: OcppVersion, update_type: str,
                                list_version: int, sent: list[ListEntry], new_hash: str,
                                new_list: Any, **kwargs: Any) -> Any:
        if update_type == DIFFERENTIAL:
            sent = sorted(new_list.values(), key=lambda e: e.key)
        return await super()._send_list_update(identity, version, update_type, list_version,
                                               sent, new_hash, new_list, **kwargs)


class DifferentialKeepsVersion(ReferenceCentralSystem):
    """Numbers a Differential update with the version it applies to, not the one after."""

    KILLS = own_ids("LOCALLIST_001_CSMS", LIST_VERSIONS)

    async def _send_list_update(self, identity: str, version: OcppVersion, update_type: str,
                                list_version: int, *args: Any, **kwargs: Any) -> Any:
        if update_type == DIFFERENTIAL:
            list_version -= 1
        return await super()._send_list_update(identity, version, update_type, list_version,
                                               *args, **kwargs)


class HashesTheChanges(ReferenceCentralSystem):
    """Puts the hash of the entries it sends in a Differential update, not of the list."""

    KILLS = own_ids("LOCALLIST_003_CSMS", ("1.5",))

    async def _send_list_update(self, identity: str, version: OcppVersion, update_type: str,
                                list_version: int, sent: list[ListEntry], new_hash: str,
                                *args: Any, **kwargs: Any) -> Any:
        if update_type == DIFFERENTIAL:
            new_hash = list_hash(sent)
        return await super()._send_list_update(identity, version, update_type, list_version,
                                               sent, new_hash, *args, **kwargs)


class IgnoresHashError(ReferenceCentralSystem):
    """Takes HashError as final and does not send the Full list after it."""

    KILLS = own_ids("LOCALLIST_004_CSMS", ("1.5",))

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._last_status: dict[str, str] = {}

    async def _send_list_update(self, identity: str, *args: Any, automatic: bool,
                                **kwargs: Any) -> Any:
        if automatic and self._last_status.get(identity) == "HashError":
            return {"status": "not sent", "listVersion": args[2]}
        outcome = await super()._send_list_update(identity, *args, automatic=automatic,
                                                  **kwargs)
        self._last_status[identity] = outcome["status"]
        return outcome
