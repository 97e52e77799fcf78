"""Steps the local-list cases share: sending lists, reading the version, configuring the
authorisation keys, and presenting idTags while the Central System is away."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from ocppcert.messages import Op
from ocppcert.roles.endpoint import RemoteFault
from ocppcert.soap import FaultSubcode
from ocppcert.verdicts import CaseFailed, NotApplicable
from ocppcert.versions import OcppVersion

MUST_ARRIVE = 15.0  # s: bound for a message the charge point owes us
AFTER_RECONNECT = 30.0  # s: bound for a queued message once the link is back
QUIET = 2.0  # s: how long a refused idTag must leave the wire without its StartTransaction

V16 = OcppVersion.V16


def mark(cs: Any) -> int:
    """The wire-record number before the next step: what the step causes comes after it."""
    return cs.recorder.last_seq


def same_tag(a: str | None, b: str) -> bool:
    # IdToken is a case-insensitive string (1.6 §7.28, CiString20Type).
    return a is not None and a.lower() == b.lower()


def entry(id_tag: str, status: str | None = "Accepted") -> dict[str, Any]:
    """One AuthorizationData; ``status=None`` is an entry without idTagInfo (a deletion in
    a Differential update)."""
    data: dict[str, Any] = {"idTag": id_tag}
    if status is not None:
        data["idTagInfo"] = {"status": status}
    return data


async def send_list(cs: Any, update_type: str, list_version: int,
                    entries: Sequence[dict[str, Any]] = (), **extra: Any) -> Any:
    """SendLocalList; the charge point's reply (a fault fails the case)."""
    fields: dict[str, Any] = {"updateType": update_type, "listVersion": list_version, **extra}
    if entries:
        # 1.5 spells the list localAuthorisationList, 1.6 localAuthorizationList.
        name = "localAuthorizationList" if cs.version is V16 else "localAuthorisationList"
        fields[name] = list(entries)
    return await cs.command(Op.SEND_LOCAL_LIST, **fields)


async def send_list_expecting(cs: Any, expected: str, update_type: str, list_version: int,
                              entries: Sequence[dict[str, Any]] = (),
                              why: str = "", **extra: Any) -> Any:
    """SendLocalList that must be answered ``expected``."""
    reply = await send_list(cs, update_type, list_version, entries, **extra)
    if reply.status.value != expected:
        tags = ", ".join(e["idTag"] for e in entries) or "no entries"
        raise CaseFailed(f"SendLocalList {update_type} version {list_version} ({tags}){why} "
                         f"was answered {reply.status.value}; expected {expected}")
    return reply


async def list_version(cs: Any) -> int:
    reply = await cs.command(Op.GET_LOCAL_LIST_VERSION)
    return reply.list_version


async def expect_list_version(cs: Any, expected: int, why: str) -> None:
    got = await list_version(cs)
    if got != expected:
        raise CaseFailed(f"GetLocalListVersion answered {got} {why}; expected {expected}")


async def not_supported(cs: Any, op: Op, **fields: Any) -> Any:
    """Send ``op``; None when the charge point answers with a SOAP fault NotSupported (the
    SOAP form of OCPP-J's CallError NotSupported, which OCTT accepts here), else its reply.
    Any other fault fails the case."""
    try:
        return await cs.send_command(cs.request(op, **fields))
    except RemoteFault as exc:
        subcode = getattr(exc.fault.subcode, "value", exc.fault.subcode)
        if subcode == FaultSubcode.NOT_SUPPORTED.value:
            return None
        evidence = (exc.record.seq,) if exc.record else ()
        raise CaseFailed(f"{op.value} was answered with a SOAP fault {subcode}, neither a "
                         f"response nor a NotSupported fault", evidence=evidence) from None


async def configure(cs: Any, key: str, value: str, *, optional: bool = False) -> bool:
    """Put the charge point in a case's configuration state (1.6 keys).

    True when ``key`` now has ``value``. An ``optional`` key (OCTT: "if implemented") the
    charge point does not have, or will not change, gives False. A required key the charge
    point cannot be given the value makes the case not applicable to it.
    """
    reply = await cs.command(Op.CHANGE_CONFIGURATION, key=key, value=value)
    status = reply.status.value
    if status == "Accepted":
        return True
    if status == "NotSupported" and optional:
        return False
    read = await cs.command(Op.GET_CONFIGURATION, key=[key])
    current = [k.value for k in read.configuration_key if k.key == key]
    if current and (current[0] or "").lower() == value.lower():
        return True
    if optional:
        return False
    raise NotApplicable(f"the charge point cannot be set to {key}={value} (ChangeConfiguration "
                        f"answered {status}; it reports {current or 'no such key'})")


async def enable_local_list(cs: Any) -> None:
    """1.6: LocalAuthListEnabled is true (the OCTT configuration state of these cases).
    1.5 has no such key: its list is always in use."""
    if cs.version is V16:
        await configure(cs, "LocalAuthListEnabled", "true")


async def offline_only_by_list(cs: Any) -> bool:
    """1.6: authorise offline from the local list, and (where the charge point has the
    feature) not any unknown idTag. True when unknown idTags are known to be refused
    offline. 1.5 has neither key, and no unknown-offline authorisation."""
    if cs.version is not V16:
        return True
    await configure(cs, "LocalAuthorizeOffline", "true")
    reply = await cs.command(Op.CHANGE_CONFIGURATION, key="AllowOfflineTxForUnknownId",
                             value="false")
    if reply.status.value in ("Accepted", "NotSupported"):
        return True
    read = await cs.command(Op.GET_CONFIGURATION, key=["AllowOfflineTxForUnknownId"])
    return any((k.value or "").lower() == "false" for k in read.configuration_key)


async def start_offline(charge_point: Any, id_tag: str, connector: int) -> None:
    """The driver presents ``id_tag`` at ``connector`` and plugs a cable in there: if the
    charge point authorises the idTag locally, a transaction starts."""
    await charge_point.present_id_tag(id_tag, connector)
    await charge_point.plug_in(connector)


async def expect_start(cs: Any, id_tag: str, *, connector: int | None = None,
                       timeout: float = MUST_ARRIVE, what: str | None = None) -> Any:
    return await cs.expect(
        Op.START_TRANSACTION, timeout=timeout,
        where=lambda m: same_tag(m.id_tag, id_tag) and (connector is None
                                                        or m.connector_id == connector),
        what=what or f"StartTransaction for idTag {id_tag}")


async def expect_no_start(cs: Any, id_tag: str, why: str) -> None:
    """No (further) StartTransaction for ``id_tag``: none already received, none during
    QUIET seconds."""
    await cs.expect_none(Op.START_TRANSACTION, during=QUIET, why=why,
                         where=lambda m: same_tag(m.id_tag, id_tag))


async def expect_status(cs: Any, connector: int, status: str, *, after: int,
                        timeout: float = MUST_ARRIVE) -> Any:
    """The first StatusNotification ``status`` of ``connector`` recorded after wire record
    ``after`` (an earlier one, e.g. from the boot, does not count)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        received = await cs.expect(
            Op.STATUS_NOTIFICATION, timeout=max(0.0, deadline - loop.time()),
            where=lambda m: m.connector_id == connector and m.status.value == status,
            what=f"StatusNotification {status} for connector {connector}")
        if received.seq > after:
            return received
