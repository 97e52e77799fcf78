"""Mutants of the reference Central System: remote trigger and smart charging (TriggerMessage,
SetChargingProfile, GetCompositeSchedule, ClearChargingProfile, RemoteStart with a profile)."""

from __future__ import annotations

from typing import Any

from ocppcert.messages import Message, Op
from ocppcert.reference.central_system import ReferenceCentralSystem
from ocppcert.soap.faults import FaultSubcode, SoapFault
from tests.mutants.central_system import ids

V16 = ("1.6",)


def _changed(op: Any, fields: Any, wanted: Op) -> bool:
    return Op(op) is wanted and fields is not None


class TriggerForgetsConnector(ReferenceCentralSystem):
    """Leaves the operator's connectorId out of TriggerMessage."""

    KILLS = ids("054", V16) + ids("055", V16)

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Message:
        if _changed(op, fields, Op.TRIGGER_MESSAGE):
            fields = {k: v for k, v in fields.items() if k != "connectorId"}
        return super().build_request(identity, op, fields)


class FaultsMeterValuesOutsideTransactions(ReferenceCentralSystem):
    """Answers a SOAP fault to MeterValues that name no transaction (as a triggered one does)."""

    KILLS = ids("054", V16)

    async def meter_values(self, request: Any, ctx: Any) -> Message:
        if getattr(request, "transaction_id", None) is None:
            raise SoapFault(FaultSubcode.PROTOCOL_ERROR, "MeterValues without transactionId")
        return await super().meter_values(request, ctx)


class RetriesRefusedTriggers(ReferenceCentralSystem):
    """Sends TriggerMessage again whenever the charge point refuses it."""

    KILLS = ids("055", V16)

    async def command(self, identity: str, request: Any, **kwargs: Any) -> Message:
        response = await super().command(identity, request, **kwargs)
        status = getattr(getattr(response, "status", None), "value", None)
        if (isinstance(request, Message) and request.OP is Op.TRIGGER_MESSAGE
                and status != "Accepted"):
            return await super().command(identity, request, **kwargs)
        return response


class ProfileStackLevelZero(ReferenceCentralSystem):
    """Sends every charging profile at stackLevel 0, whatever level its operator chose."""

    KILLS = ids("056", V16) + ids("057", V16) + ids("059", V16) + ids("067", V16)

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Message:
        for key in ("csChargingProfiles", "chargingProfile"):
            if fields is not None and isinstance(fields.get(key), dict):
                fields = {**fields, key: {**fields[key], "stackLevel": 0}}
        return super().build_request(identity, op, fields)


class DefaultProfileForWholeChargePoint(ReferenceCentralSystem):
    """Sends a TxDefaultProfile for connector 0, whatever connector its operator chose."""

    KILLS = ids("056", V16) + ids("067", V16)

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Message:
        if _changed(op, fields, Op.SET_CHARGING_PROFILE):
            purpose = (fields.get("csChargingProfiles") or {}).get("chargingProfilePurpose")
            if purpose == "TxDefaultProfile":
                fields = {**fields, "connectorId": 0}
        return super().build_request(identity, op, fields)


class TxProfileWithoutTransaction(ReferenceCentralSystem):
    """Drops transactionId from the TxProfile of a SetChargingProfile."""

    KILLS = ids("057", V16)

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Message:
        if _changed(op, fields, Op.SET_CHARGING_PROFILE):
            chosen = {k: v for k, v in (fields.get("csChargingProfiles") or {}).items()
                      if k != "transactionId"}
            fields = {**fields, "csChargingProfiles": chosen}
        return super().build_request(identity, op, fields)


class RemoteStartDropsProfile(ReferenceCentralSystem):
    """Leaves the chargingProfile out of RemoteStartTransaction."""

    KILLS = ids("059", V16)

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Message:
        if _changed(op, fields, Op.REMOTE_START_TRANSACTION):
            fields = {k: v for k, v in fields.items() if k != "chargingProfile"}
        return super().build_request(identity, op, fields)


class CompositeDurationInMinutes(ReferenceCentralSystem):
    """Asks GetCompositeSchedule for the duration in minutes instead of seconds."""

    KILLS = ids("066", V16)

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Message:
        if _changed(op, fields, Op.GET_COMPOSITE_SCHEDULE):
            fields = {**fields, "duration": int(fields["duration"]) // 60}
        return super().build_request(identity, op, fields)


class ClearsEveryProfile(ReferenceCentralSystem):
    """Sends ClearChargingProfile without the profile id, clearing every profile."""

    KILLS = ids("067", V16)

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Message:
        if _changed(op, fields, Op.CLEAR_CHARGING_PROFILE):
            fields = {k: v for k, v in fields.items() if k != "id"}
        return super().build_request(identity, op, fields)
