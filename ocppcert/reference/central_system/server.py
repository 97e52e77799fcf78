"""The reference Central System: OCPP 1.2, 1.5 and 1.6 over SOAP on one URL.

It serves the CentralSystemService of every version it is given (the Endpoint base
dispatches on the body's namespace and answers in the request's version), keeps its
state in SQLite (:mod:`.store`), and calls the charge points' ChargePointService at the
address each one gave in wsa:From (:meth:`ReferenceCentralSystem.send`).

What each operation does, and the rule it follows:

* BootNotification (1.5 §4.2, 1.6 §4.2): registers an unknown charge point, stores its
  boot data, and answers the status configured for it (default Accepted) with the
  current time and the heartbeat interval. Pending exists in 1.6 only; a charge point
  configured Pending that boots in 1.2 or 1.5 is answered Rejected, the nearest status
  its version has.
* Heartbeat (§4.6): the current time.
* Authorize (§4.1): the id tag's status from the id-tag store: Accepted, Blocked,
  Expired (also when an Accepted tag's expiryDate has passed), Invalid (unknown),
  ConcurrentTx (the tag is in an ongoing transaction), with expiryDate and parentIdTag
  when known.
* StartTransaction (§4.8; 1.5 §3.2, 1.6 §3.7): always creates the transaction, because
  it may have happened while the charge point was offline, and reports the tag's status
  in idTagInfo. A resend of a StartTransaction already stored (same charge point,
  connector, idTag, timestamp and meterStart: a response lost on the way) gets the same
  transactionId again instead of a second transaction.
* StopTransaction (§4.10): always answered, because the Central System cannot prevent a
  transaction from stopping; a stop for an unknown transaction is recorded as such
  instead of answered with a fault, which would make the charge point retry forever.
* MeterValues, StatusNotification, DiagnosticsStatusNotification,
  FirmwareStatusNotification: stored. DataTransfer (§4.3): UnknownVendorId unless the
  vendorId is one this Central System knows (the echo vendors answer Accepted with the
  data they were sent).

Every inbound request that carries a usable wsa:From updates the address the charge
point is called at (OCPP-S 1.6 §3: From is the only way a Central System learns it).
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ocppcert.messages import Kind, Message, MessageDecodeError, Op, message_class
from ocppcert.reference.central_system.local_list import (
    DIFFERENTIAL,
    FULL,
    ListEntry,
    apply_update,
    format_utc,
    list_hash,
)
from ocppcert.reference.central_system.store import CentralSystemStore, parse_stored_time
from ocppcert.reference.db import temporary_path
from ocppcert.roles.endpoint import (
    CallContext,
    Endpoint,
    ProtocolViolation,
    RemoteFault,
    handles,
)
from ocppcert.soap.faults import FaultSubcode, SoapFault
from ocppcert.transport.http import TransportError
from ocppcert.transport.recorder import WireRecord, WireRecorder
from ocppcert.versions import OcppVersion, Service

log = logging.getLogger(__name__)

BOOT_STATUSES = ("Accepted", "Pending", "Rejected")
DEFAULT_HEARTBEAT_INTERVAL = 300
DEFAULT_ECHO_VENDOR = "ocppcert"
# idTagInfo statuses that let a charge point go on; everything else refuses.
_CONCURRENT_APPLIES_TO = "Accepted"
# Differential answers after which OCPP 1.6 §5.15 says to send the Full list instead
# (facts §2.7); HashError (1.5 only) means the lists differ, so the same cure applies.
_RESEND_FULL_AFTER_DIFFERENTIAL = ("VersionMismatch", "Failed", "HashError")
_RESEND_FULL_AFTER_FULL = ("HashError",)

_calling: contextvars.ContextVar[str | None] = contextvars.ContextVar("_calling", default=None)


class CommandError(Exception):
    """A command for a charge point that was not carried out, or got no usable answer.

    ``kind`` says why: ``unknown-charge-point``, ``no-endpoint`` (it never said where it
    listens), ``unsupported`` (its OCPP version lacks the operation), ``invalid-request``,
    ``transport`` (no HTTP answer), ``fault`` (a SOAP fault: see ``fault``), ``protocol``
    (an answer that is not the valid response).
    """

    HTTP_STATUS = {"unknown-charge-point": 404, "no-endpoint": 409, "unsupported": 400,
                   "invalid-request": 400, "transport": 502, "fault": 502, "protocol": 502}

    def __init__(self, message: str, *, kind: str, fault: SoapFault | None = None,
                 record: WireRecord | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.fault = fault
        self.record = record

    @property
    def http_status(self) -> int:
        return self.HTTP_STATUS.get(self.kind, 500)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": self.message, "kind": self.kind}
        if self.fault is not None:
            out["fault"] = {
                "code": self.fault.code.value,
                "subcode": getattr(self.fault.subcode, "value", self.fault.subcode),
                "reason": self.fault.reason,
            }
        return out


class ReferenceCentralSystem(Endpoint):
    """The Central System ocppcert tests itself against and users try the suite with.

    ``db_path``: the SQLite file (default: a new temporary one). ``heartbeat_interval``:
    the interval answered to BootNotification unless one is configured for the charge
    point. ``boot_status``: the default answer to BootNotification. ``require_accepted``:
    answer requests other than BootNotification from a charge point that is unknown or
    was last answered Rejected with a SecurityError fault, as SteVe does (off by default;
    1.6 Pending charge points are served, since they may send what the Central System
    triggers). ``echo_vendor_ids``: DataTransfer vendorIds answered Accepted with the
    data echoed.
    """

    SERVICE = Service.CENTRAL_SYSTEM

    def __init__(
        self,
        *,
        db_path: str | Path | None = None,
        versions: Iterable[OcppVersion | str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        advertise: str | None = None,
        call_timeout: float = 30.0,
        heartbeat_interval: int = DEFAULT_HEARTBEAT_INTERVAL,
        boot_status: str = "Accepted",
        require_accepted: bool = False,
        echo_vendor_ids: Iterable[str] = (DEFAULT_ECHO_VENDOR,),
        clock: Callable[[], dt.datetime] | None = None,
        recorder: WireRecorder | None = None,
        **endpoint_options: Any,
    ) -> None:
        if boot_status not in BOOT_STATUSES:
            raise ValueError(f"boot_status must be one of {', '.join(BOOT_STATUSES)}")
        super().__init__(versions=versions, host=host, port=port, advertise=advertise,
                         call_timeout=call_timeout,
                         recorder=recorder if recorder is not None
                         else WireRecorder(capacity=10_000),
                         **endpoint_options)
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.db_path = Path(db_path) if db_path is not None else temporary_path("central-system")
        self.store = CentralSystemStore(self.db_path, clock=self.clock)
        self.heartbeat_interval = heartbeat_interval
        self.boot_status = boot_status
        self.require_accepted = require_accepted
        self.echo_vendor_ids = {v.casefold() for v in echo_vendor_ids}
        self._identity_of_message: OrderedDict[str, str] = OrderedDict()
        self._list_locks: dict[str, asyncio.Lock] = {}
        self.recorder.listeners.append(self._store_record)

    async def start(self) -> str:
        if self.store.closed:  # started again after stop()
            self.store = CentralSystemStore(self.db_path, clock=self.clock)
        return await super().start()

    async def stop(self) -> None:
        await super().stop()
        self.store.close()

    def now(self) -> dt.datetime:
        return self.clock()

    # -- message log ----------------------------------------------------------------------
    def _store_record(self, record: WireRecord) -> None:
        """Keep every message in SQLite with the charge point it concerns: requests name
        it; a response is matched to its request through RelatesTo."""
        identity = record.charge_box_identity or _calling.get()
        if identity is None and record.relates_to:
            identity = self._identity_of_message.get(record.relates_to)
        if identity is not None and record.message_id and record.kind == "request":
            self._identity_of_message[record.message_id] = identity
            while len(self._identity_of_message) > 10_000:
                self._identity_of_message.popitem(last=False)
        try:
            self.store.add_message(
                time=record.time, direction=record.direction.value, identity=identity,
                peer=record.peer, ocpp_version=record.ocpp_version,
                operation=record.operation, kind=record.kind, valid=record.valid,
                http_status=record.http_status, message_id=record.message_id,
                relates_to=record.relates_to, note=record.note,
                xml=record.data.decode("utf-8", "replace"),
            )
        except Exception:  # the log must never take a message exchange down
            log.exception("could not store message %s", record.seq)

    # -- helpers --------------------------------------------------------------------------
    def _admit_charge_point(self, ctx: CallContext) -> str:
        """Note the request's sender (and where it listens); apply the Accepted gate."""
        identity = ctx.charge_box_identity
        if not identity:
            raise SoapFault(FaultSubcode.PROTOCOL_ERROR, "chargeBoxIdentity is empty")
        self.store.touch(identity, ctx.version.value, _usable_address(ctx.from_address))
        if self.require_accepted and ctx.op is not Op.BOOT_NOTIFICATION:
            cp = self.store.charge_point(identity)
            status = cp["registration_status"] if cp else None
            if status not in ("Accepted", "Pending"):
                raise SoapFault(
                    FaultSubcode.SECURITY_ERROR,
                    f"charge point {identity!r} is not accepted "
                    f"({'never booted' if status is None else 'boot ' + status}); "
                    "send BootNotification first",
                )
        return identity

    def authorization(self, id_tag: str, *, concurrency: bool = True,
                      ignore_connector: tuple[str, int] | None = None) -> dict[str, Any]:
        """The idTagInfo for ``id_tag`` as OCPP-J-style JSON.

        Unknown → Invalid; the stored status otherwise, with an Accepted tag whose
        expiryDate has passed reported Expired; with ``concurrency``, an Accepted tag in
        an ongoing transaction is ConcurrentTx (transactions on ``ignore_connector`` do not
        count: a connector has one transaction at a time, so an older one still open there
        was left behind). expiryDate and parentIdTag are given when known.
        """
        row = self.store.id_tag(id_tag)
        if row is None:
            return {"status": "Invalid"}
        status = row["status"]
        expiry = parse_stored_time(row["expiry_date"])
        if status == "Accepted" and expiry is not None and expiry <= _utc(self.now()):
            status = "Expired"
        if status == _CONCURRENT_APPLIES_TO and concurrency:
            ongoing = [t for t in self.store.ongoing_for_tag(id_tag)
                       if (t["identity"], t["connector_id"]) != ignore_connector]
            if ongoing:
                status = "ConcurrentTx"
        info: dict[str, Any] = {"status": status}
        if expiry is not None:
            info["expiryDate"] = format_utc(expiry)
        if row["parent_id_tag"]:
            info["parentIdTag"] = row["parent_id_tag"]
        return info

    @staticmethod
    def _answer(ctx: CallContext, fields: Mapping[str, Any]) -> Message:
        """The response in the request's version, built from OCPP-J-style JSON, so a
        value the version's schema lacks cannot slip through."""
        return ctx.response_class().from_json(dict(fields))

    # -- Charge Point → Central System ------------------------------------------------------
    @handles(Op.BOOT_NOTIFICATION)
    async def boot_notification(self, request: Any, ctx: CallContext) -> Message:
        identity = self._admit_charge_point(ctx)
        cp = self.store.charge_point(identity) or {}
        status = cp.get("boot_status") or self.boot_status
        interval = cp.get("boot_interval")
        if interval is None:
            interval = self.heartbeat_interval
        if status == "Pending" and ctx.version is not OcppVersion.V16:
            log.warning("%s boots in OCPP %s, which has no Pending: answering Rejected",
                        identity, ctx.version.value)
            status = "Rejected"
        self.store.record_boot(identity, {
            "vendor": request.charge_point_vendor,
            "model": request.charge_point_model,
            "charge_point_serial_number": request.charge_point_serial_number,
            "charge_box_serial_number": request.charge_box_serial_number,
            "firmware_version": request.firmware_version,
            "iccid": request.iccid,
            "imsi": request.imsi,
            "meter_type": request.meter_type,
            "meter_serial_number": request.meter_serial_number,
        }, status)
        interval_name = "interval" if ctx.version is OcppVersion.V16 else "heartbeatInterval"
        return self._answer(ctx, {"status": status, "currentTime": format_utc(self.now()),
                                  interval_name: interval})

    @handles(Op.HEARTBEAT)
    async def heartbeat(self, request: Any, ctx: CallContext) -> Message:
        identity = self._admit_charge_point(ctx)
        self.store.record_heartbeat(identity)
        return self._answer(ctx, {"currentTime": format_utc(self.now())})

    @handles(Op.AUTHORIZE)
    async def authorize(self, request: Any, ctx: CallContext) -> Message:
        self._admit_charge_point(ctx)
        return self._answer(ctx, {"idTagInfo": self.authorization(request.id_tag)})

    @handles(Op.START_TRANSACTION)
    async def start_transaction(self, request: Any, ctx: CallContext) -> Message:
        identity = self._admit_charge_point(ctx)
        existing = self.store.find_start(identity, request.connector_id, request.id_tag,
                                         request.timestamp, request.meter_start)
        if existing is not None:
            log.info("%s resent StartTransaction of transaction %s", identity, existing["id"])
            return self._answer(ctx, {"transactionId": existing["id"],
                                      "idTagInfo": existing["start_id_tag_info"]})
        info = self.authorization(request.id_tag,
                                  ignore_connector=(identity, request.connector_id))
        transaction_id = self.store.start_transaction(
            identity=identity, version=ctx.version.value, connector_id=request.connector_id,
            id_tag=request.id_tag, timestamp=request.timestamp,
            meter_start=request.meter_start,
            reservation_id=getattr(request, "reservation_id", None), id_tag_info=info,
        )
        return self._answer(ctx, {"transactionId": transaction_id, "idTagInfo": info})

    @handles(Op.STOP_TRANSACTION)
    async def stop_transaction(self, request: Any, ctx: CallContext) -> Message:
        identity = self._admit_charge_point(ctx)
        reason = getattr(request, "reason", None)
        reason = None if reason is None else _wire(reason)
        values = [normalise_meter_value(v) for v in _transaction_data(request)]
        info = None
        if request.id_tag:
            info = self.authorization(request.id_tag, concurrency=False)
        tx = self.store.transaction_row(request.transaction_id)
        why = None
        if tx is None:
            why = "unknown transaction"
        elif tx["identity"] != identity:
            why = f"transaction belongs to charge point {tx['identity']!r}"
        elif not tx["ongoing"]:
            same = (tx["stop_timestamp"] == format_utc(request.timestamp)
                    and tx["meter_stop"] == request.meter_stop)
            if same:  # a resend whose response was lost: answer it again
                log.info("%s resent StopTransaction of transaction %s", identity, tx["id"])
                return self._answer(ctx, {} if info is None else {"idTagInfo": info})
            why = f"transaction already stopped at {tx['stop_timestamp']}"
        if why is not None:
            log.warning("%s: StopTransaction for transaction %s: %s", identity,
                        request.transaction_id, why)
            self.store.record_unknown_stop(
                identity=identity, version=ctx.version.value,
                transaction_id=request.transaction_id, id_tag=request.id_tag,
                timestamp=request.timestamp, meter_stop=request.meter_stop, reason=reason,
                why=why, meter_values=values,
            )
        else:
            self.store.stop_transaction(
                request.transaction_id, timestamp=request.timestamp,
                meter_stop=request.meter_stop, reason=reason, id_tag=request.id_tag,
                id_tag_info=info, meter_values=values, version=ctx.version.value,
            )
        return self._answer(ctx, {} if info is None else {"idTagInfo": info})

    @handles(Op.METER_VALUES)
    async def meter_values(self, request: Any, ctx: CallContext) -> Message:
        identity = self._admit_charge_point(ctx)
        readings = getattr(request, "meter_value", None)
        if readings is None:
            readings = request.values
        values = [normalise_meter_value(v) for v in readings]
        transaction_id = getattr(request, "transaction_id", None)
        if ctx.version is OcppVersion.V12:
            # 1.2 meter values name only the connector: they belong to the transaction
            # ongoing there, if there is exactly one.
            ongoing = self.store.ongoing_on_connector(identity, request.connector_id)
            if len(ongoing) == 1:
                transaction_id = ongoing[0]["id"]
        self.store.add_meter_values(identity=identity, version=ctx.version.value,
                                    connector_id=request.connector_id,
                                    transaction_id=transaction_id, values=values)
        return self._answer(ctx, {})

    @handles(Op.STATUS_NOTIFICATION)
    async def status_notification(self, request: Any, ctx: CallContext) -> Message:
        identity = self._admit_charge_point(ctx)
        self.store.set_connector_status(
            identity, request.connector_id, status=_wire(request.status),
            error_code=_wire(request.error_code), info=getattr(request, "info", None),
            vendor_id=getattr(request, "vendor_id", None),
            vendor_error_code=getattr(request, "vendor_error_code", None),
            timestamp=getattr(request, "timestamp", None),
        )
        return self._answer(ctx, {})

    @handles(Op.DIAGNOSTICS_STATUS_NOTIFICATION)
    async def diagnostics_status_notification(self, request: Any, ctx: CallContext) -> Message:
        identity = self._admit_charge_point(ctx)
        self.store.set_diagnostics_status(identity, _wire(request.status))
        return self._answer(ctx, {})

    @handles(Op.FIRMWARE_STATUS_NOTIFICATION)
    async def firmware_status_notification(self, request: Any, ctx: CallContext) -> Message:
        identity = self._admit_charge_point(ctx)
        self.store.set_firmware_status(identity, _wire(request.status))
        return self._answer(ctx, {})

    @handles(Op.DATA_TRANSFER)
    async def data_transfer(self, request: Any, ctx: CallContext) -> Message:
        self._admit_charge_point(ctx)
        # vendorId is compared without case (1.6: CiString255Type).
        if request.vendor_id.casefold() in self.echo_vendor_ids:
            fields: dict[str, Any] = {"status": "Accepted"}
            if request.data is not None:
                fields["data"] = request.data
            return self._answer(ctx, fields)
        return self._answer(ctx, {"status": "UnknownVendorId"})

    # -- Central System → Charge Point ----------------------------------------------------
    def _charge_point_for_command(self, identity: str) -> tuple[dict[str, Any], OcppVersion]:
        cp = self.store.charge_point(identity)
        if cp is None:
            raise CommandError(f"unknown charge point {identity!r}", kind="unknown-charge-point")
        if not cp["endpoint_url"]:
            raise CommandError(
                f"no endpoint known for {identity!r}: it has sent no request with a usable "
                "wsa:From (OCPP-S §3), so it cannot be called", kind="no-endpoint")
        if not cp["ocpp_version"]:
            raise CommandError(f"the OCPP version of {identity!r} is not known yet",
                               kind="no-endpoint")
        return cp, OcppVersion(cp["ocpp_version"])

    def build_request(self, identity: str, op: Op | str,
                      fields: Mapping[str, Any] | None = None) -> Message:
        """A ChargePointService request in ``identity``'s version from OCPP-J-style JSON
        fields (``{"connectorId": 1, "type": "Inoperative"}``)."""
        _, version = self._charge_point_for_command(identity)
        try:
            op = Op(op)
        except ValueError:
            raise CommandError(f"{op!r} is not an OCPP operation", kind="unsupported") from None
        try:
            cls = message_class(version, Service.CHARGE_POINT, op, Kind.REQUEST)
        except KeyError:
            raise CommandError(
                f"{op.value} is not an operation of the OCPP {version.value} "
                "ChargePointService", kind="unsupported") from None
        try:
            return cls.from_json(dict(fields or {}))
        except MessageDecodeError as exc:
            raise CommandError(f"invalid {op.value} request: {exc}",
                               kind="invalid-request") from None

    async def command(
        self,
        identity: str,
        request: Message | tuple[Op | str, Mapping[str, Any]],
        *,
        timeout: float | None = None,
    ) -> Message:
        """Send a ChargePointService request to charge point ``identity`` and return its
        response.

        ``request`` is a typed message, or ``(op, fields)`` with OCPP-J-style JSON fields
        built in the charge point's version. It goes to the address the charge point gave
        in wsa:From, with chargeBoxIdentity and the full WS-Addressing headers (Action,
        MessageID, From = this endpoint, ReplyTo anonymous, To). Raises CommandError.
        """
        cp, version = self._charge_point_for_command(identity)
        if isinstance(request, tuple):
            request = self.build_request(identity, *request)
        if request.SERVICE != Service.CHARGE_POINT.value or request.KIND is not Kind.REQUEST:
            raise CommandError(f"{type(request).__name__} is not a ChargePointService request",
                               kind="invalid-request")
        if request.VERSION != version.value:
            log.warning("sending an OCPP %s %s to %s, which last spoke %s", request.VERSION,
                        request.OP.value, identity, version.value)
        token = _calling.set(identity)
        try:
            response = await self.call(cp["endpoint_url"], request,
                                       charge_box_identity=identity, timeout=timeout)
        except TransportError as exc:
            raise CommandError(f"{request.OP.value} to {identity} at {cp['endpoint_url']}: "
                               f"no answer: {exc}", kind="transport") from None
        except RemoteFault as exc:
            raise CommandError(f"{request.OP.value} to {identity}: SOAP fault {exc}",
                               kind="fault", fault=exc.fault, record=exc.record) from None
        except ProtocolViolation as exc:
            raise CommandError(f"{request.OP.value} to {identity}: unusable answer: "
                               f"{exc.reason}", kind="protocol", record=exc.record) from None
        finally:
            _calling.reset(token)
        if request.OP is Op.GET_LOCAL_LIST_VERSION:
            self.store.record_reported_list_version(identity, response.list_version)
        return response

    # -- Local Authorization List ---------------------------------------------------------
    def local_list_state(self, identity: str) -> dict[str, Any]:
        """The authoritative list of ``identity``, what it last acknowledged, and the
        updates sent."""
        state, entries = self.store.local_list(identity)
        state = state or {}
        return {
            "listVersion": state.get("version", 0),
            "hash": state.get("hash", list_hash([])),
            "entries": [e.to_json() for e in sorted(entries.values(), key=lambda e: e.key)],
            "acknowledged": {
                "listVersion": state.get("acknowledged_version"),
                "hash": state.get("acknowledged_hash"),
                "entries": state.get("acknowledged_entries"),
                "time": state.get("acknowledged_at"),
            },
            "reported": {"listVersion": state.get("reported_version"),
                         "time": state.get("reported_at")},
            "updates": [_update_json(u) for u in self.store.list_updates(identity)],
        }

    async def send_local_list(
        self, identity: str, update_type: str,
        entries: Iterable[ListEntry | Mapping[str, Any]],
    ) -> dict[str, Any]:
        """Change ``identity``'s list and send the change (OCPP 1.5 §5.13, 1.6 §5.15).

        The Central System assigns the version: one more than the list's current one.
        Full sends the whole new list; Differential sends ``entries`` as changes (an
        entry without idTagInfo removes the idTag). If a Differential update is answered
        VersionMismatch or Failed, or any update HashError (1.5), the whole list is sent
        again as Full with the same version. The list is changed here before it is sent
        and stays changed whatever the answer; ``acknowledged`` records what the charge
        point accepted. Returns ``{"listVersion", "updateType", "status", "hash"?,
        "resent"?: {...}}``; raises LocalListError (a bad update) or CommandError (no
        answer to the first request).
        """
        lock = self._list_locks.setdefault(identity, asyncio.Lock())
        async with lock:
            _, version = self._charge_point_for_command(identity)
            if version is OcppVersion.V12:
                raise CommandError("OCPP 1.2 has no Local Authorization List (SendLocalList)",
                                   kind="unsupported")
            changes = [e if isinstance(e, ListEntry) else ListEntry.from_json(e, f"entries[{i}]")
                       for i, e in enumerate(entries)]
            state, current = self.store.local_list(identity)
            new_list = apply_update(current, update_type, changes)
            new_version = (state["version"] if state else 0) + 1
            new_hash = list_hash(new_list.values())
            self.store.save_local_list(identity, new_version, new_list, new_hash)
            whole = sorted(new_list.values(), key=lambda e: e.key)
            sent = whole if update_type == FULL else changes
            outcome = await self._send_list_update(identity, version, update_type, new_version,
                                                   sent, new_hash, new_list, automatic=False)
            status = outcome["status"]
            resend = (status in _RESEND_FULL_AFTER_DIFFERENTIAL if update_type == DIFFERENTIAL
                      else status in _RESEND_FULL_AFTER_FULL)
            if resend:
                log.info("%s answered %s to the %s update of its list: sending the Full list",
                         identity, status, update_type)
                try:
                    outcome["resent"] = await self._send_list_update(
                        identity, version, FULL, new_version, whole, new_hash, new_list,
                        automatic=True)
                except CommandError as exc:
                    outcome["resent"] = {"updateType": FULL, "listVersion": new_version,
                                         **exc.as_json()}
            return outcome

    async def _send_list_update(
        self, identity: str, version: OcppVersion, update_type: str, list_version: int,
        sent: list[ListEntry], new_hash: str, new_list: Mapping[str, ListEntry],
        *, automatic: bool,
    ) -> dict[str, Any]:
        fields: dict[str, Any] = {"updateType": update_type, "listVersion": list_version}
        items = [e.to_json() for e in sent]
        if version is OcppVersion.V15:
            fields["localAuthorisationList"] = items
            fields["hash"] = new_hash
        else:
            fields["localAuthorizationList"] = items
        request = self.build_request(identity, Op.SEND_LOCAL_LIST, fields)
        update_id = self.store.start_list_update(
            identity, update_type=update_type, list_version=list_version, entries=sent,
            list_hash=new_hash if version is OcppVersion.V15 else None, automatic=automatic)
        try:
            response = await self.command(identity, request)
        except CommandError as exc:
            self.store.finish_list_update(update_id, error=exc.message)
            raise
        status = _wire(response.status)
        answered_hash = getattr(response, "hash", None)
        self.store.finish_list_update(update_id, status=status, answered_hash=answered_hash)
        if status == "Accepted":
            self.store.acknowledge_local_list(identity, list_version, new_hash, new_list)
        outcome: dict[str, Any] = {"updateType": update_type, "listVersion": list_version,
                                   "status": status}
        if version is OcppVersion.V15:
            outcome["hash"] = new_hash
            if answered_hash is not None:
                outcome["answeredHash"] = answered_hash
                outcome["hashMatches"] = answered_hash.lower() == new_hash
        return outcome


# -- helpers ----------------------------------------------------------------------------------
def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _wire(value: Any) -> str:
    """An enum member's wire value (or the string itself)."""
    return str(getattr(value, "value", value))


def _usable_address(address: str | None) -> str | None:
    """wsa:From as an address we can call: an absolute http(s) URL, else None."""
    if not address:
        return None
    parsed = urlparse(address)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        log.warning("ignoring wsa:From %r: not an http(s) URL", address)
        return None
    return address


def _transaction_data(request: Any) -> list[Any]:
    """StopTransaction's meter values: 1.6 lists MeterValue, 1.5 wraps them in
    TransactionData, 1.2 has none."""
    data = getattr(request, "transaction_data", None) or []
    readings: list[Any] = []
    for item in data:
        if hasattr(item, "sampled_value"):
            readings.append(item)
        else:
            readings.extend(item.values)
    return readings


def normalise_meter_value(reading: Any) -> dict[str, Any]:
    """One meter reading of any version as ``{"timestamp", "sampledValue": [{"value",
    "context"?, "format"?, "measurand"?, "phase"?, "location"?, "unit"?}]}`` (1.6's shape;
    1.5's attributes become fields; 1.2's single integer becomes one value)."""
    samples: list[dict[str, Any]] = []
    if hasattr(reading, "sampled_value"):  # 1.6
        samples = [sample.to_json() for sample in reading.sampled_value]
    elif isinstance(reading.value, list):  # 1.5: <value context=... unit=...>text</value>
        for value in reading.value:
            sample: dict[str, Any] = {"value": value.text}
            for name in ("context", "format", "measurand", "location", "unit"):
                attribute = getattr(value, name)
                if attribute is not None:
                    sample[name] = _wire(attribute)
            samples.append(sample)
    else:  # 1.2
        samples = [{"value": str(reading.value)}]
    return {"timestamp": format_utc(reading.timestamp), "sampledValue": samples}


def _update_json(update: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": update["id"], "updateType": update["update_type"],
        "listVersion": update["list_version"], "entries": update["entries"],
        "hash": update["hash"], "automatic": update["automatic"], "sent": update["sent"],
        "status": update["status"], "answeredHash": update["answered_hash"],
        "error": update["error"], "answered": update["answered"],
    }


__all__ = [
    "BOOT_STATUSES",
    "CommandError",
    "ReferenceCentralSystem",
    "normalise_meter_value",
]
