"""Mutants of the reference Central System: the commands it sends (remote start/stop,
unlock, configuration, availability) and what it does with their answers."""

from __future__ import annotations

from typing import Any

from ocppcert.messages import Message, Op
from ocppcert.reference.central_system import ReferenceCentralSystem
from tests.mutants.central_system import ids, own_ids

_REFUSALS = ("Rejected", "NotSupported", "UnlockFailed")
_RETRIED = (Op.REMOTE_START_TRANSACTION, Op.REMOTE_STOP_TRANSACTION, Op.UNLOCK_CONNECTOR,
            Op.CHANGE_CONFIGURATION, Op.CHANGE_AVAILABILITY)


def _changed(op: Any, fields: Any, wanted: Op) -> bool:
    return Op(op) is wanted and fields is not None


class RemoteStartAnyConnector(ReferenceCentralSystem):
    """Drops the operator's connectorId from RemoteStartTransaction (lets the charge point pick)."""

    KILLS = ids("010") + ids("011_1") + ids("011_2") + ids("026")

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Message:
        if _changed(op, fields, Op.REMOTE_START_TRANSACTION):
            fields = {k: v for k, v in fields.items() if k != "connectorId"}
        return super().build_request(identity, op, fields)


class RemoteStopsLatest(ReferenceCentralSystem):
    """Remote-stops the charge point's most recent ongoing transaction, not the one asked."""

    KILLS = ids("012") + ids("028")

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Message:
        if _changed(op, fields, Op.REMOTE_STOP_TRANSACTION):
            ongoing = self.store.transactions(charge_point=identity, ongoing=True)
            if ongoing:
                fields = {**fields, "transactionId": ongoing[-1]["id"]}
        return super().build_request(identity, op, fields)


class UnlocksZeroBased(ReferenceCentralSystem):
    """Numbers connectors from 0 in UnlockConnector (sends connectorId - 1)."""

    KILLS = ids("017_1") + ids("017_2") + ids("018_1") + ids("030") + ids("031")

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Message:
        if _changed(op, fields, Op.UNLOCK_CONNECTOR):
            fields = {**fields, "connectorId": int(fields["connectorId"]) - 1}
        return super().build_request(identity, op, fields)


class RefusesUnlockStops(ReferenceCentralSystem):
    """Answers a StopTransaction with a reason it does not handle (UnlockCommand) Invalid."""

    KILLS = ids("018_1", ("1.6",))

    async def stop_transaction(self, request: Any, ctx: Any) -> Message:
        response = await super().stop_transaction(request, ctx)
        reason = getattr(getattr(request, "reason", None), "value", None)
        if reason == "UnlockCommand":
            return self._answer(ctx, {"idTagInfo": {"status": "Invalid"}})
        return response


class GetConfigurationDefaultKeys(ReferenceCentralSystem):
    """Asks for its own default keys when the operator asked GetConfiguration for all keys."""

    KILLS = ids("019_1", ("1.6", "1.5"))

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Message:
        if Op(op) is Op.GET_CONFIGURATION and not (fields or {}).get("key"):
            fields = {**(fields or {}), "key": ["HeartbeatInterval", "MeterValueSampleInterval"]}
        return super().build_request(identity, op, fields)


class GetConfigurationIgnoresKeys(ReferenceCentralSystem):
    """Drops the operator's key list from GetConfiguration and always asks for everything."""

    KILLS = ids("019_2", ("1.6", "1.5"))

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Message:
        if _changed(op, fields, Op.GET_CONFIGURATION):
            fields = {k: v for k, v in fields.items() if k != "key"}
        return super().build_request(identity, op, fields)


class ChangeConfigurationTruncates(ReferenceCentralSystem):
    """Sends only the first two characters of a ChangeConfiguration value (a fixed-width field)."""

    KILLS = ids("021")

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Message:
        if _changed(op, fields, Op.CHANGE_CONFIGURATION):
            fields = {**fields, "value": str(fields.get("value", ""))[:2]}
        return super().build_request(identity, op, fields)


class RetriesRefusedCommands(ReferenceCentralSystem):
    """Sends a command again whenever the charge point refuses it, as if it had got no answer."""

    KILLS = (ids("026") + ids("028") + ids("017_2") + ids("030") + ids("031")
             + ids("040_1") + ids("040_2") + own_ids("CMD_002_CSMS"))

    async def command(self, identity: str, request: Any, **kwargs: Any) -> Message:
        response = await super().command(identity, request, **kwargs)
        status = getattr(getattr(response, "status", None), "value", None)
        if isinstance(request, Message) and request.OP in _RETRIED and status in _REFUSALS:
            return await super().command(identity, request, **kwargs)
        return response


class AvailabilityForWholeChargePoint(ReferenceCentralSystem):
    """Sends every ChangeAvailability for connector 0, whatever connector the operator chose."""

    KILLS = own_ids("CMD_001_CSMS")

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Message:
        if _changed(op, fields, Op.CHANGE_AVAILABILITY):
            fields = {**fields, "connectorId": 0}
        return super().build_request(identity, op, fields)
