"""Mutants of the reference Central System: offline delivery and concurrency."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ocppcert.reference.central_system import ReferenceCentralSystem
from ocppcert.soap.faults import FaultSubcode, SoapFault
from tests.mutants.central_system import own_ids


class FaultsUnknownStop(ReferenceCentralSystem):
    """Answers a StopTransaction for a transaction it does not know with a SOAP fault."""

    KILLS = own_ids("OFFLINE_001_CSMS")

    async def stop_transaction(self, request: Any, ctx: Any) -> Any:
        if self.store.transaction_row(request.transaction_id) is None:
            raise SoapFault(FaultSubcode.PROTOCOL_ERROR, "unknown transaction")
        return await super().stop_transaction(request, ctx)


class DuplicatesResentStart(ReferenceCentralSystem):
    """Opens a new transaction for every StartTransaction, resends included."""

    KILLS = own_ids("OFFLINE_002_CSMS")

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.store.find_start = lambda *args, **kwargs: None


class TransactionIdPerChargePoint(ReferenceCentralSystem):
    """Numbers transactions per charge point, so two charge points get the same ids."""

    KILLS = own_ids("CONCURRENCY_001_CSMS")

    async def start_transaction(self, request: Any, ctx: Any) -> Any:
        answer = await super().start_transaction(request, ctx)
        answer.transaction_id = request.connector_id
        return answer


class StaleStartsInvalid(ReferenceCentralSystem):
    """Answers Invalid to a StartTransaction whose timestamp is more than an hour old."""

    KILLS = own_ids("OFFLINE_003_CSMS")

    async def start_transaction(self, request: Any, ctx: Any) -> Any:
        answer = await super().start_transaction(request, ctx)
        if self.now() - request.timestamp > dt.timedelta(hours=1):
            answer.id_tag_info.status = type(answer.id_tag_info.status)("Invalid")
        return answer
