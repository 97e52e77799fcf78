"""The charge point's clock: real UTC time plus an adjustable offset.

Every timestamp the station puts in a message (StartTransaction, MeterValues,
StatusNotification, ...) comes from here, so "set the clock" through the control API
moves all of them at once. Timers that count *durations* (heartbeat, sample interval,
retry interval) run on the event loop's monotonic clock and are not affected; timers
that wait for an *absolute* time (reservation expiry, firmware retrieveDate) listen for
:attr:`Clock.changed` and re-arm.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable


class Clock:
    """UTC now + ``offset``; whole milliseconds (OCPP 1.6 §3.15 wants at least seconds)."""

    def __init__(self, offset: dt.timedelta = dt.timedelta(0)) -> None:
        self.offset = offset
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> dt.datetime:
        moment = dt.datetime.now(dt.UTC) + self.offset
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)

    def set_offset(self, offset: dt.timedelta) -> None:
        self.offset = offset
        for listener in list(self._listeners):
            listener()

    def set_time(self, moment: dt.datetime) -> None:
        """Make :meth:`now` return ``moment`` at this instant (and advance from there)."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        self.set_offset(moment - dt.datetime.now(dt.UTC))

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def sleep_until(self, moment: dt.datetime) -> None:
        """Sleep until this clock shows ``moment``, re-aiming whenever the clock is set."""
        changed = asyncio.Event()
        self._listeners.append(changed.set)
        try:
            while (delay := (moment - self.now()).total_seconds()) > 0:
                changed.clear()
                try:
                    await asyncio.wait_for(changed.wait(), timeout=delay)
                except TimeoutError:
                    pass
        finally:
            self.remove_listener(changed.set)
