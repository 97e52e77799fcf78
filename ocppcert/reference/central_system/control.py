"""The reference Central System's control API: HTTP JSON (docs/control-central-system.md).

Read the state (charge points, transactions, id tags, the message log), configure the
boot answer and the id tags, and make the Central System send any ChargePointService
command or a Local Authorization List update to a charge point.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ocppcert.messages import Op
from ocppcert.reference.central_system.local_list import (
    ID_TAG_MAX_LENGTH,
    LIST_STATUSES,
    LocalListError,
    parse_time,
)
from ocppcert.reference.central_system.server import (
    BOOT_STATUSES,
    CommandError,
    ReferenceCentralSystem,
)
from ocppcert.reference.control import (
    ControlApi,
    ControlError,
    endpoint,
    json_response,
    read_json,
)
from ocppcert.versions import OcppVersion

MAX_MESSAGES = 1000


class CentralSystemControl(ControlApi):
    """The control API of one :class:`ReferenceCentralSystem`."""

    def __init__(self, cs: ReferenceCentralSystem, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        super().__init__(host, port)
        self.cs = cs

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/charge-points", endpoint(self.list_charge_points)),
            web.get("/charge-points/{id}", endpoint(self.get_charge_point)),
            web.put("/charge-points/{id}/boot-response", endpoint(self.put_boot_response)),
            web.post("/charge-points/{id}/commands/{operation}", endpoint(self.post_command)),
            web.get("/charge-points/{id}/local-list", endpoint(self.get_local_list)),
            web.post("/charge-points/{id}/local-list", endpoint(self.post_local_list)),
            web.get("/id-tags", endpoint(self.list_id_tags)),
            web.get("/id-tags/{tag}", endpoint(self.get_id_tag)),
            web.put("/id-tags/{tag}", endpoint(self.put_id_tag)),
            web.delete("/id-tags/{tag}", endpoint(self.delete_id_tag)),
            web.get("/transactions", endpoint(self.list_transactions)),
            web.get("/transactions/{id}", endpoint(self.get_transaction)),
            web.get("/unknown-stops", endpoint(self.list_unknown_stops)),
            web.get("/messages", endpoint(self.list_messages)),
        ]

    # -- charge points --------------------------------------------------------------------
    def _charge_point_json(self, row: dict[str, Any], *, detail: bool) -> dict[str, Any]:
        cs = self.cs
        configured = row["boot_status"] is not None or row["boot_interval"] is not None
        out: dict[str, Any] = {
            "id": row["identity"],
            "endpoint": row["endpoint_url"],
            "ocppVersion": row["ocpp_version"],
            "registrationStatus": row["registration_status"],
            "bootResponse": {
                "status": row["boot_status"] or cs.boot_status,
                "interval": (row["boot_interval"] if row["boot_interval"] is not None
                             else cs.heartbeat_interval),
                "configured": configured,
            },
            "firstSeen": row["first_seen"],
            "lastSeen": row["last_seen"],
            "lastBoot": row["last_boot"],
            "lastHeartbeat": row["last_heartbeat"],
        }
        if not detail:
            return out
        out["boot"] = {
            "chargePointVendor": row["vendor"],
            "chargePointModel": row["model"],
            "chargePointSerialNumber": row["charge_point_serial_number"],
            "chargeBoxSerialNumber": row["charge_box_serial_number"],
            "firmwareVersion": row["firmware_version"],
            "iccid": row["iccid"],
            "imsi": row["imsi"],
            "meterType": row["meter_type"],
            "meterSerialNumber": row["meter_serial_number"],
        }
        out["diagnosticsStatus"] = {"status": row["diagnostics_status"],
                                    "time": row["diagnostics_status_time"]}
        out["firmwareStatus"] = {"status": row["firmware_status"],
                                 "time": row["firmware_status_time"]}
        out["connectors"] = [
            {"connectorId": c["connector_id"], "status": c["status"],
             "errorCode": c["error_code"], "info": c["info"], "vendorId": c["vendor_id"],
             "vendorErrorCode": c["vendor_error_code"], "timestamp": c["timestamp"],
             "received": c["received"]}
            for c in cs.store.connectors(row["identity"])
        ]
        out["ongoingTransactions"] = [
            t["id"] for t in cs.store.transactions(charge_point=row["identity"], ongoing=True)
        ]
        return out

    def _charge_point_row(self, identity: str) -> dict[str, Any]:
        row = self.cs.store.charge_point(identity)
        if row is None:
            raise ControlError(f"unknown charge point {identity!r}", 404)
        return row

    async def list_charge_points(self, request: web.Request) -> Any:
        """Every charge point the Central System knows."""
        return {"chargePoints": [self._charge_point_json(r, detail=False)
                                 for r in self.cs.store.charge_points()]}

    async def get_charge_point(self, request: web.Request) -> Any:
        """One charge point: endpoint, version, boot data, connectors."""
        return self._charge_point_json(self._charge_point_row(request.match_info["id"]),
                                       detail=True)

    async def put_boot_response(self, request: web.Request) -> Any:
        """Configure the answer to its BootNotification: {"status", "interval"}."""
        identity = request.match_info["id"]
        body = await read_json(request)
        unknown = set(body) - {"status", "interval"}
        if unknown:
            raise ControlError(f"unknown field(s) {', '.join(sorted(unknown))}")
        status = body.get("status")
        if status is not None and status not in BOOT_STATUSES:
            raise ControlError(f"status must be one of {', '.join(BOOT_STATUSES)}")
        interval = body.get("interval")
        if interval is not None and (not isinstance(interval, int) or isinstance(interval, bool)
                                     or not 0 <= interval <= 2**31 - 1):
            raise ControlError("interval must be a whole number of seconds, 0 or more")
        row = self.cs.store.charge_point(identity)
        version = row["ocpp_version"] if row else None
        if status == "Pending" and version not in (None, OcppVersion.V16.value):
            raise ControlError(f"{identity} speaks OCPP {version}, which has no Pending "
                               "(OCPP 1.6 only)")
        self.cs.store.set_boot_response(identity, status, interval)
        return self._charge_point_json(self._charge_point_row(identity), detail=False)

    async def post_command(self, request: web.Request) -> Any:
        """Send a ChargePointService request (OCPP-J-style JSON fields); returns the response."""
        identity = request.match_info["id"]
        operation = request.match_info["operation"]
        try:
            op = Op(operation)
        except ValueError:
            raise ControlError(f"{operation!r} is not an OCPP operation", 404) from None
        body = await read_json(request)
        try:
            response = await self.cs.command(identity, (op, body))
        except CommandError as exc:
            return json_response(exc.as_json(), exc.http_status)
        return {"response": response.to_json(), "ocppVersion": response.VERSION}

    async def get_local_list(self, request: web.Request) -> Any:
        """The authoritative list, its version and hash, and what the charge point acknowledged."""
        identity = request.match_info["id"]
        self._charge_point_row(identity)
        return self.cs.local_list_state(identity)

    async def post_local_list(self, request: web.Request) -> Any:
        """Update the list and send it: {"updateType": "Full|Differential", "entries": [...]}."""
        identity = request.match_info["id"]
        body = await read_json(request)
        unknown = set(body) - {"updateType", "entries"}
        if unknown:
            raise ControlError(f"unknown field(s) {', '.join(sorted(unknown))}")
        entries = body.get("entries", [])
        if not isinstance(entries, list):
            raise ControlError("entries must be a list")
        try:
            return await self.cs.send_local_list(identity, body.get("updateType"), entries)
        except LocalListError as exc:
            raise ControlError(str(exc)) from None
        except CommandError as exc:
            return json_response(exc.as_json(), exc.http_status)

    # -- id tags --------------------------------------------------------------------------
    @staticmethod
    def _id_tag_json(row: dict[str, Any]) -> dict[str, Any]:
        return {"idTag": row["id_tag"], "status": row["status"],
                "expiryDate": row["expiry_date"], "parentIdTag": row["parent_id_tag"]}

    async def list_id_tags(self, request: web.Request) -> Any:
        """Every id tag."""
        return {"idTags": [self._id_tag_json(r) for r in self.cs.store.id_tags()]}

    async def get_id_tag(self, request: web.Request) -> Any:
        """One id tag, with what Authorize would answer for it now."""
        tag = request.match_info["tag"]
        row = self.cs.store.id_tag(tag)
        if row is None:
            raise ControlError(f"unknown id tag {tag!r}", 404)
        return {**self._id_tag_json(row), "idTagInfo": self.cs.authorization(tag)}

    async def put_id_tag(self, request: web.Request) -> Any:
        """Create or replace an id tag: {"status", "expiryDate"?, "parentIdTag"?}."""
        tag = request.match_info["tag"]
        body = await read_json(request)
        unknown = set(body) - {"status", "expiryDate", "parentIdTag"}
        if unknown:
            raise ControlError(f"unknown field(s) {', '.join(sorted(unknown))}")
        status = body.get("status")
        if status not in LIST_STATUSES:
            raise ControlError(f"status must be one of {', '.join(LIST_STATUSES)}")
        expiry = body.get("expiryDate")
        try:
            expiry_date = None if expiry is None else parse_time(expiry, "expiryDate")
        except LocalListError as exc:
            raise ControlError(str(exc)) from None
        parent = body.get("parentIdTag")
        if parent is not None and (not isinstance(parent, str) or not parent
                                   or len(parent) > ID_TAG_MAX_LENGTH):
            raise ControlError(f"parentIdTag must be 1 to {ID_TAG_MAX_LENGTH} characters")
        self.cs.store.put_id_tag(tag, status, expiry_date, parent)
        row = self.cs.store.id_tag(tag)
        assert row is not None
        return self._id_tag_json(row)

    async def delete_id_tag(self, request: web.Request) -> Any:
        """Remove an id tag (it becomes unknown: Invalid)."""
        tag = request.match_info["tag"]
        if not self.cs.store.delete_id_tag(tag):
            raise ControlError(f"unknown id tag {tag!r}", 404)
        return {"deleted": tag}

    # -- transactions and messages --------------------------------------------------------
    @staticmethod
    def _transaction_json(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "transactionId": row["id"], "chargePoint": row["identity"],
            "ocppVersion": row["ocpp_version"], "connectorId": row["connector_id"],
            "idTag": row["id_tag"], "reservationId": row["reservation_id"],
            "startTimestamp": row["start_timestamp"], "meterStart": row["meter_start"],
            "startIdTagInfo": row["start_id_tag_info"], "startReceived": row["start_received"],
            "stopTimestamp": row["stop_timestamp"], "meterStop": row["meter_stop"],
            "reason": row["stop_reason"], "stopIdTag": row["stop_id_tag"],
            "stopIdTagInfo": row["stop_id_tag_info"], "stopReceived": row["stop_received"],
            "ongoing": row["ongoing"],
        }

    async def list_transactions(self, request: web.Request) -> Any:
        """Transactions; ?charge_point=ID, ?ongoing=true|false."""
        query = request.query
        ongoing = _flag(query.get("ongoing"), "ongoing")
        rows = self.cs.store.transactions(charge_point=query.get("charge_point"),
                                          ongoing=ongoing)
        return {"transactions": [self._transaction_json(r) for r in rows]}

    async def get_transaction(self, request: web.Request) -> Any:
        """One transaction with its meter values."""
        raw = request.match_info["id"]
        if not raw.lstrip("-").isdigit():
            raise ControlError(f"transaction id must be a number, not {raw!r}", 404)
        row = self.cs.store.transaction_row(int(raw))
        if row is None:
            raise ControlError(f"unknown transaction {raw}", 404)
        values = [
            {"timestamp": v["timestamp"], "sampledValue": v["sampledValue"],
             "source": v["source"], "connectorId": v["connector_id"],
             "received": v["received"]}
            for v in self.cs.store.meter_values(transaction_id=row["id"])
        ]
        return {**self._transaction_json(row), "meterValues": values}

    async def list_unknown_stops(self, request: web.Request) -> Any:
        """StopTransactions answered for transactions the Central System does not hold."""
        rows = self.cs.store.unknown_stops(request.query.get("charge_point"))
        return {"unknownStops": [
            {"id": r["id"], "chargePoint": r["identity"], "ocppVersion": r["ocpp_version"],
             "transactionId": r["transaction_id"], "idTag": r["id_tag"],
             "timestamp": r["timestamp"], "meterStop": r["meter_stop"], "reason": r["reason"],
             "why": r["why"], "received": r["received"]} for r in rows]}

    async def list_messages(self, request: web.Request) -> Any:
        """The message log; ?charge_point=ID&after=N&limit=N (at most 1000)."""
        query = request.query
        after = _number(query.get("after", "0"), "after")
        limit = min(_number(query.get("limit", "100"), "limit"), MAX_MESSAGES)
        rows = self.cs.store.messages(charge_point=query.get("charge_point"), after=after,
                                      limit=limit)
        return {"messages": [
            {"id": r["id"], "time": r["time"], "direction": r["direction"],
             "chargePoint": r["identity"], "peer": r["peer"], "ocppVersion": r["ocpp_version"],
             "operation": r["operation"], "kind": r["kind"], "valid": r["valid"],
             "httpStatus": r["http_status"], "messageId": r["message_id"],
             "relatesTo": r["relates_to"], "note": r["note"], "xml": r["xml"]}
            for r in rows]}


def _flag(value: str | None, name: str) -> bool | None:
    if value is None:
        return None
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise ControlError(f"{name} must be true or false, not {value!r}")


def _number(value: str, name: str) -> int:
    if not value.isdigit():
        raise ControlError(f"{name} must be a whole number, 0 or more, not {value!r}")
    return int(value)


__all__ = ["CentralSystemControl"]
