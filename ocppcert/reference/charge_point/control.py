"""The reference charge point's control API: its physical side, over HTTP JSON.

Documented route by route in docs/control-charge-point.md. Everything a person (or a
test harness) does at a real station goes through here: present an idTag, plug a cable
in or out, break and repair things, pull the network or the power plug, set the clock,
read the state and the configuration. Errors come back as ``{"error": "..."}`` with a
4xx status; ``POST /wait`` is a bounded, event-driven long poll on the station's state.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from ocppcert.messages import Op
from ocppcert.reference.charge_point.config import ConfigError
from ocppcert.reference.charge_point.station import (
    DeliveryFailed,
    ReferenceChargePoint,
    Unreachable,
)
from ocppcert.reference.control import ControlApi, ControlError, endpoint, read_json

MAX_WAIT = 300.0


def _int(value: Any, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ControlError(f"{what} must be an integer, got {value!r}") from None


def _bool(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ControlError(f"{what} must be true or false, got {value!r}")


class ChargePointControl(ControlApi):
    """HTTP JSON control of one :class:`ReferenceChargePoint`."""

    def __init__(self, station: ReferenceChargePoint, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        super().__init__(host, port)
        self.station = station

    def _connector_id(self, request: web.Request, *, zero: bool = False) -> int:
        connector_id = _int(request.match_info["connector"], "connector")
        low = 0 if zero else 1
        if not low <= connector_id <= self.station.traits.connectors:
            raise ControlError(f"no connector {connector_id} (1..{self.station.traits.connectors}"
                               f"{', or 0 for the whole station' if zero else ''})", 404)
        return connector_id

    def _act(self, action: Any) -> Any:
        try:
            return action()
        except ValueError as exc:
            raise ControlError(str(exc), 409) from None

    def routes(self) -> list[web.RouteDef]:
        station = self.station

        @endpoint
        async def state(request: web.Request) -> Any:
            """The station: boot state, connectors, transactions, queue, config summary."""
            return station.snapshot()

        @endpoint
        async def queue(request: web.Request) -> Any:
            """The persistent queue of transaction messages, and those given up on."""
            return {"messages": [m.as_dict() for m in station.queue.items()],
                    "dropped": list(station.dropped)}

        @endpoint
        async def present(request: web.Request) -> Any:
            """Present an idTag: {"id_tag": "...", "connector": N (optional)}."""
            body = await read_json(request)
            id_tag = body.get("id_tag")
            if not isinstance(id_tag, str) or not id_tag:
                raise ControlError('"id_tag" (a string) is required')
            connector = body.get("connector")
            if connector is not None:
                connector = _int(connector, "connector")
            try:
                return await station.present_id_tag(id_tag, connector)
            except ValueError as exc:
                raise ControlError(str(exc), 409) from None

        @endpoint
        async def plug(request: web.Request) -> Any:
            """Plug a cable in (both ends)."""
            connector_id = self._connector_id(request)
            return self._act(lambda: station.plug_in(connector_id))

        @endpoint
        async def unplug(request: web.Request) -> Any:
            """Pull the cable out altogether."""
            connector_id = self._connector_id(request)
            return self._act(lambda: station.unplug(connector_id))

        @endpoint
        async def ev_disconnect(request: web.Request) -> Any:
            """Pull the cable out at the EV side only."""
            connector_id = self._connector_id(request)
            return self._act(lambda: station.ev_disconnect(connector_id))

        @endpoint
        async def suspend(request: web.Request) -> Any:
            """Suspend/resume charging: {"by": "EV"|"EVSE", "suspended": true|false}."""
            connector_id = self._connector_id(request)
            body = await read_json(request)
            by = body.get("by", "EV")
            if by not in ("EV", "EVSE"):
                raise ControlError('"by" must be "EV" or "EVSE"')
            suspended = _bool(body.get("suspended", True), "suspended")
            return self._act(lambda: station.suspend(connector_id, ev=by == "EV",
                                                     suspended=suspended))

        @endpoint
        async def fault(request: web.Request) -> Any:
            """Raise a fault: {"error_code": "GroundFailure", "info": "..."}; connector 0 =
            the whole station."""
            connector_id = self._connector_id(request, zero=True)
            body = await read_json(request)
            default = "OtherError" if station.version.value != "1.2" else "Mode3Error"
            error_code = body.get("error_code", default)
            info = body.get("info")
            return self._act(lambda: station.set_fault(connector_id, error_code, info))

        @endpoint
        async def clear_fault(request: web.Request) -> Any:
            """Clear the fault of a connector (0: the station)."""
            connector_id = self._connector_id(request, zero=True)
            return self._act(lambda: station.set_fault(connector_id, None))

        @endpoint
        async def lock_failure(request: web.Request) -> Any:
            """Make the connector's lock fail (or work again): {"failing": true|false}."""
            connector_id = self._connector_id(request)
            body = await read_json(request)
            failing = _bool(body.get("failing", True), "failing")
            return self._act(lambda: station.set_lock_failure(connector_id, failing))

        @endpoint
        async def stop(request: web.Request) -> Any:
            """Stop the connector's transaction locally: {"reason": "Local"|"EmergencyStop"|...}."""
            connector_id = self._connector_id(request)
            body = await read_json(request)
            reason = body.get("reason", "Local")
            return self._act(lambda: station.local_stop(connector_id, reason))

        @endpoint
        async def offline(request: web.Request) -> Any:
            """Lose the network: the endpoint refuses, nothing is sent, transactions queue."""
            station.go_offline()
            return {"online": False}

        @endpoint
        async def online(request: web.Request) -> Any:
            """Get the network back."""
            station.go_online()
            return {"online": True}

        @endpoint
        async def power_cut(request: web.Request) -> Any:
            """Cut the power: everything in memory is lost, no message is sent."""
            await station.power_cut()
            return {"powered": False}

        @endpoint
        async def reboot(request: web.Request) -> Any:
            """Power on after a cut, or restart (running transactions stop, reason Reboot)."""
            await station.reboot()
            return {"powered": True}

        @endpoint
        async def clock(request: web.Request) -> Any:
            """Set the clock: {"offset_seconds": N} or {"time": "ISO 8601"}."""
            body = await read_json(request)
            if "time" in body:
                try:
                    moment = dt.datetime.fromisoformat(str(body["time"]).replace("Z", "+00:00"))
                except ValueError:
                    raise ControlError(f"not an ISO 8601 time: {body['time']!r}") from None
                station.clock.set_time(moment)
            elif "offset_seconds" in body:
                try:
                    offset = float(body["offset_seconds"])
                except (TypeError, ValueError):
                    raise ControlError('"offset_seconds" must be a number') from None
                station.clock.set_offset(dt.timedelta(seconds=offset))
            else:
                raise ControlError('give "offset_seconds" or "time"')
            return {"now": station.clock.now().isoformat(),
                    "offset_seconds": station.clock.offset.total_seconds()}

        @endpoint
        async def config_all(request: web.Request) -> Any:
            """Every configuration key with its value and read-only flag."""
            return {"keys": [{"key": d.name, "value": value, "readonly": d.readonly,
                              "type": d.type} for d, value in station.config.items()]}

        @endpoint
        async def config_get(request: web.Request) -> Any:
            """One configuration key."""
            name = request.match_info["key"]
            d = station.config.find(name)
            if d is None:
                raise ControlError(f"no key {name!r} in OCPP {station.version.value}", 404)
            return {"key": d.name, "value": station.config.get(d.key), "readonly": d.readonly,
                    "type": d.type}

        @endpoint
        async def config_set(request: web.Request) -> Any:
            """Set a key locally (read-only keys too): {"value": "..."}."""
            name = request.match_info["key"]
            body = await read_json(request)
            value = body.get("value")
            if isinstance(value, bool):
                value = "true" if value else "false"
            if isinstance(value, int | float):
                value = str(value)
            if not isinstance(value, str):
                raise ControlError('"value" (a string) is required')
            try:
                d = station.config.set_local(name, value)
            except ConfigError as exc:
                raise ControlError(str(exc), 404 if "no key" in str(exc) else 400) from None
            return {"key": d.name, "value": station.config.get(d.key), "readonly": d.readonly}

        @endpoint
        async def data_transfer(request: web.Request) -> Any:
            """Send DataTransfer to the Central System (1.5, 1.6): {"vendor_id", "message_id",
            "data"}; returns its answer."""
            if station.version.value == "1.2":
                raise ControlError("OCPP 1.2 has no DataTransfer", 409)
            body = await read_json(request)
            vendor = body.get("vendor_id")
            if not isinstance(vendor, str) or not vendor:
                raise ControlError('"vendor_id" is required')
            message = station.request(Op.DATA_TRANSFER, vendor_id=vendor,
                                      message_id=body.get("message_id"), data=body.get("data"))
            try:
                answer = await station.send(message)
            except (Unreachable, DeliveryFailed) as exc:
                raise ControlError(f"not delivered: {exc}", 502) from None
            return answer.to_json()

        @endpoint
        async def wait(request: web.Request) -> Any:
            """Long poll until every given condition holds: {"timeout": s, "boot": "Accepted",
            "queue_length": n, "queue_at_least": n, "reachable": bool, "online": bool,
            "connector": n, "status": "Charging", "transaction": bool}; 408 on timeout."""
            body = await read_json(request)
            timeout = min(MAX_WAIT, float(body.get("timeout", 10)))
            checks = _conditions(station, body)
            try:
                await station.wait_until(lambda: all(check() for check in checks),
                                         timeout=timeout)
            except TimeoutError:
                raise ControlError(f"conditions not met within {timeout:g} s", 408) from None
            return station.snapshot()

        connector = "/connectors/{connector}"
        return [
            web.get("/state", state),
            web.get("/queue", queue),
            web.post("/present", present),
            web.post(f"{connector}/plug", plug),
            web.post(f"{connector}/unplug", unplug),
            web.post(f"{connector}/ev-disconnect", ev_disconnect),
            web.post(f"{connector}/suspend", suspend),
            web.post(f"{connector}/fault", fault),
            web.post(f"{connector}/clear-fault", clear_fault),
            web.post(f"{connector}/lock-failure", lock_failure),
            web.post(f"{connector}/stop", stop),
            web.post("/offline", offline),
            web.post("/online", online),
            web.post("/power-cut", power_cut),
            web.post("/reboot", reboot),
            web.post("/clock", clock),
            web.get("/config", config_all),
            web.get("/config/{key}", config_get),
            web.put("/config/{key}", config_set),
            web.post("/data-transfer", data_transfer),
            web.post("/wait", wait),
        ]


def _conditions(station: ReferenceChargePoint, body: dict[str, Any]) -> list[Any]:
    checks: list[Any] = []
    if "boot" in body:
        wanted = str(body["boot"])
        checks.append(lambda: station.boot_state.value == wanted)
    if "queue_length" in body:
        length = _int(body["queue_length"], "queue_length")
        checks.append(lambda: len(station.queue) == length)
    if "queue_at_least" in body:
        least = _int(body["queue_at_least"], "queue_at_least")
        checks.append(lambda: len(station.queue) >= least)
    for flag in ("reachable", "online", "powered"):
        if flag in body:
            value = _bool(body[flag], flag)
            attribute = {"online": "link_up"}.get(flag, flag)
            checks.append(lambda a=attribute, v=value: getattr(station, a) == v)
    if "status" in body or "transaction" in body:
        connector_id = _int(body.get("connector", 1), "connector")
        if not 0 <= connector_id <= station.traits.connectors:
            raise ControlError(f"no connector {connector_id}", 404)
        if "status" in body:
            wanted_status = str(body["status"])
            checks.append(lambda: station.powered
                          and station.status_of(connector_id)[0] == wanted_status)
        if "transaction" in body:
            running = _bool(body["transaction"], "transaction")
            checks.append(lambda: station.powered and connector_id > 0
                          and (station.connectors[connector_id].tx is not None) == running)
    if not checks:
        raise ControlError("no condition given")
    return checks


__all__ = ["ChargePointControl"]
