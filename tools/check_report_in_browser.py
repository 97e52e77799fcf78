"""Open report.html in a real headless Chromium and check it like a user would.

Drives Chromium over the DevTools protocol (CDP) with aiohttp's websocket client: loads the
page from file://, collects uncaught exceptions, console errors and log errors, evaluates
JavaScript in the page (e.g. to drive the case filter), and writes a screenshot.

    python tools/check_report_in_browser.py REPORT_DIR/report.html [--screenshot shot.png]

Exit 0 when the page loads with no console error and shows every case of the report.json
beside it; 1 otherwise; 2 when Chromium is absent. Every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class PageResult:
    url: str
    errors: list[str] = field(default_factory=list)  # exceptions, console.error, log errors
    values: dict[str, Any] = field(default_factory=dict)  # name → evaluated value
    screenshot: Path | None = None
    load_s: float = 0.0


class BrowserError(RuntimeError):
    """Chromium could not be started or driven; the message says why."""


class _Cdp:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            if "id" in data and data["id"] in self.pending:
                self.pending.pop(data["id"]).set_result(data)
            elif "method" in data:
                self.events.put_nowait(data)
        for future in self.pending.values():
            if not future.done():
                future.set_exception(BrowserError("the DevTools connection closed"))

    async def send(self, method: str, timeout: float, **params: Any) -> dict[str, Any]:
        ident = next(self.ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[ident] = future
        await self.ws.send_str(json.dumps({"id": ident, "method": method, "params": params}))
        reply = await asyncio.wait_for(future, timeout)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})


def _describe(event: dict[str, Any]) -> str | None:
    """The error an event reports, or None for an event that is not an error."""
    method, params = event.get("method"), event.get("params", {})
    if method == "Runtime.exceptionThrown":
        details = params.get("exceptionDetails", {})
        exc = details.get("exception", {})
        text = exc.get("description") or details.get("text") or "exception"
        return f"uncaught exception: {text} (line {details.get('lineNumber')})"
    if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
        args = params.get("args", [])
        text = " ".join(str(a.get("value", a.get("description", ""))) for a in args)
        return f"console.{params.get('type')}: {text}"
    if method == "Log.entryAdded":
        entry = params.get("entry", {})
        if entry.get("level") == "error":
            where = entry.get("url") or ""
            return f"log error ({entry.get('source')}): {entry.get('text')} {where}".rstrip()
    return None


async def _inspect(chromium: str, url: str, *, expressions: list[tuple[str, str]],
                   screenshot: Path | None, timeout: float, width: int, height: int,
                   settle_s: float) -> PageResult:
    profile = tempfile.mkdtemp(prefix="ocppcert-chromium-")
    log = open(Path(profile) / "stderr.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--no-default-browser-check", "--disable-extensions",
         f"--user-data-dir={profile}", "--remote-debugging-port=0",
         "--remote-allow-origins=*", f"--window-size={width},{height}", "about:blank"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + timeout
    result = PageResult(url=url)
    try:
        port_file = Path(profile) / "DevToolsActivePort"
        while not port_file.is_file() or len(port_file.read_text().splitlines()) < 2:
            if proc.poll() is not None:
                tail = (Path(profile) / "stderr.log").read_text(errors="replace")[-500:]
                raise BrowserError(f"chromium exited with {proc.returncode}: {tail}")
            if time.monotonic() > deadline:
                raise BrowserError("chromium did not open its DevTools port in time")
            await asyncio.sleep(0.05)  # bounded-poll: chromium writes the file, no event to await
        port = int(port_file.read_text().splitlines()[0])
        client_timeout = aiohttp.ClientTimeout(total=max(deadline - time.monotonic(), 1))
        async with aiohttp.ClientSession(timeout=client_timeout) as http:
            async with http.get(f"http://127.0.0.1:{port}/json/list") as reply:
                targets = await reply.json(content_type=None)
            page = next((t for t in targets if t.get("type") == "page"), None)
            if page is None:
                raise BrowserError("chromium shows no page target")
            async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                cdp = _Cdp(ws)
                remaining = lambda: max(deadline - time.monotonic(), 0.1)  # noqa: E731
                for method in ("Runtime.enable", "Log.enable", "Page.enable"):
                    await cdp.send(method, remaining())
                await cdp.send("Emulation.setDeviceMetricsOverride", remaining(), width=width,
                               height=height, deviceScaleFactor=1, mobile=False)
                started = time.monotonic()
                await cdp.send("Page.navigate", remaining(), url=url)
                loaded = False
                settle_until = None
                while True:
                    limit = remaining() if settle_until is None else \
                        max(settle_until - time.monotonic(), 0)
                    if limit <= 0 and settle_until is not None:
                        break
                    try:
                        event = await asyncio.wait_for(cdp.events.get(), limit)
                    except TimeoutError:
                        if settle_until is None:
                            raise BrowserError(f"{url} did not finish loading in time") from None
                        break
                    error = _describe(event)
                    if error:
                        result.errors.append(error)
                    if event.get("method") == "Page.loadEventFired" and not loaded:
                        loaded = True
                        result.load_s = time.monotonic() - started
                        settle_until = min(time.monotonic() + settle_s, deadline)
                for name, expression in expressions:
                    reply = await cdp.send("Runtime.evaluate", remaining(), expression=expression,
                                           returnByValue=True, awaitPromise=True)
                    if "exceptionDetails" in reply:
                        details = reply["exceptionDetails"]
                        text = (details.get("exception", {}).get("description")
                                or details.get("text"))
                        result.errors.append(f"evaluating {name}: {text}")
                    result.values[name] = reply.get("result", {}).get("value")
                while not cdp.events.empty():
                    error = _describe(cdp.events.get_nowait())
                    if error:
                        result.errors.append(error)
                if screenshot is not None:
                    shot = await cdp.send("Page.captureScreenshot", remaining(), format="png")
                    screenshot.parent.mkdir(parents=True, exist_ok=True)
                    screenshot.write_bytes(base64.b64decode(shot["data"]))
                    result.screenshot = screenshot
                cdp.reader.cancel()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
        shutil.rmtree(profile, ignore_errors=True)
    return result


def inspect_page(path_or_url: str | Path, *, expressions: list[tuple[str, str]] | None = None,
                 screenshot: Path | None = None, timeout: float = 60.0, width: int = 1280,
                 height: int = 900, settle_s: float = 0.3) -> PageResult:
    """Load a page in headless Chromium; errors, evaluated values and a screenshot."""
    chromium = find_chromium()
    if chromium is None:
        raise BrowserError("no chromium on PATH (Debian: apt-get install chromium)")
    url = str(path_or_url)
    if "://" not in url:
        url = Path(url).resolve().as_uri()
    return asyncio.run(_inspect(chromium, url, expressions=expressions or [],
                                screenshot=screenshot, timeout=timeout, width=width,
                                height=height, settle_s=settle_s))


CASE_IDS = "Array.from(document.querySelectorAll('details.case')).map(d => d.id)"
TABLE_IDS = "Array.from(document.querySelectorAll('#case-table tbody tr')).map(r => r.dataset.case)"


def visible_rows_for(verdict: str) -> str:
    """JS: set the verdict filter as a user would, and count the case rows left visible."""
    return ("(() => { const s = document.getElementById('f-verdict'); s.value = "
            + json.dumps(verdict) + "; s.dispatchEvent(new Event('change')); "
            "return Array.from(document.querySelectorAll('#case-table tbody tr'))"
            ".filter(r => r.offsetParent !== null).length; })()")


def check_report(html: Path, screenshot: Path | None = None) -> tuple[PageResult, list[str]]:
    """Load report.html; the problems found (console errors, case ids missing from the page)."""
    result = inspect_page(html, expressions=[("cases", CASE_IDS), ("table", TABLE_IDS)],
                          screenshot=screenshot)
    problems = list(result.errors)
    document_path = html.parent / "report.json"
    if document_path.is_file():
        document = json.loads(document_path.read_text(encoding="utf-8"))
        expected = [c.get("id") for c in document.get("cases", [])]
        for name in ("cases", "table"):
            shown = set(result.values.get(name) or [])
            missing = [i for i in expected if i not in shown]
            if missing:
                problems.append(f"{len(missing)} case id(s) missing from the {name}: {missing[:5]}")
    return result, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path)
    parser.add_argument("--screenshot", type=Path, default=None)
    args = parser.parse_args(argv)
    if find_chromium() is None:
        print("check_report_in_browser: no chromium on PATH", file=sys.stderr)
        return 2
    try:
        result, problems = check_report(args.html, args.screenshot)
    except BrowserError as exc:
        print(f"check_report_in_browser: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"url": result.url, "load_s": round(result.load_s, 3),
                      "cases_on_page": len(result.values.get("cases") or []),
                      "screenshot": str(result.screenshot) if result.screenshot else None,
                      "problems": problems}, indent=1))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
