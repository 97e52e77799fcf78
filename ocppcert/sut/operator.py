"""An operator at the terminal: asked to do one step, with a bounded wait.

Used by the manual drivers of both SUT roles. Outside an interactive terminal there is no
operator: every step is CannotDrive at once (the case is SKIPPED, never hung).
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from ocppcert.verdicts import CannotDrive

DECLINED = ("s", "skip", "n", "no")


class Operator:
    def __init__(self, *, wait: float = 120.0, stream_in: TextIO | None = None,
                 stream_out: TextIO | None = None) -> None:
        self.wait = wait
        self._in = stream_in or sys.stdin
        self._out = stream_out or sys.stderr

    async def _read(self, prompt: str, what: str) -> str:
        if not self._in.isatty():
            raise CannotDrive(f"needs an operator to {what}, and the run is not interactive")
        self._out.write(f"\n>>> {prompt} (within {self.wait:g} s)")
        self._out.flush()
        try:
            line = await asyncio.wait_for(asyncio.to_thread(self._in.readline), self.wait)
        except TimeoutError:
            raise CannotDrive(f"the operator did not respond to '{what}' within "
                              f"{self.wait:g} s") from None
        return line.strip()

    async def ask(self, instruction: str) -> None:
        """Show ``instruction``; return once the operator confirms with Enter. Typing
        skip/no, silence for ``wait`` seconds, or no terminal: CannotDrive."""
        answer = await self._read(f"{instruction}, then press Enter", instruction)
        if answer.lower() in DECLINED:
            raise CannotDrive(f"the operator could not {instruction}")

    async def answer(self, question: str) -> str:
        """A line the operator types; empty or skip: CannotDrive."""
        answer = await self._read(question, question)
        if not answer or answer.lower() in DECLINED:
            raise CannotDrive(f"the operator could not {question}")
        return answer
