"""File transfers for GetDiagnostics (upload) and UpdateFirmware (download).

OCPP 1.5 expects FTP(S) and 1.6 recommends it, allowing HTTP(S) as announced in
SupportedFileTransferProtocols (1.6 errata v4.0). The reference charge point speaks:

- ``file://PATH``: a local file or directory (diagnostics land in PATH/fileName when PATH
  is a directory or ends with a slash);
- ``http://...``: upload with HTTP PUT (the file name appended when the URL ends with a
  slash), download with HTTP GET.

Any other scheme (ftp, https...) fails the transfer, which the station reports as
UploadFailed / DownloadFailed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiohttp

MAX_DOWNLOAD = 16 * 1024 * 1024


class TransferError(Exception):
    """The transfer failed; the message says why."""


def _file_path(location: str) -> Path:
    parts = urlsplit(location)
    if parts.netloc not in ("", "localhost"):
        raise TransferError(f"file URL with a remote host: {location}")
    return Path(unquote(parts.path))


async def upload(location: str, file_name: str, data: bytes, *, timeout: float = 30.0) -> str:
    """Put ``data`` at ``location``; returns where it went."""
    scheme = urlsplit(location).scheme.lower()
    if scheme == "file":
        path = _file_path(location)
        if location.endswith("/") or path.is_dir():
            path = path / file_name
        try:
            await asyncio.to_thread(_write, path, data)
        except OSError as exc:
            raise TransferError(f"cannot write {path}: {exc.strerror or exc}") from None
        return str(path)
    if scheme == "http":
        url = location + file_name if location.endswith("/") else location
        try:
            async with aiohttp.ClientSession() as session:
                async with asyncio.timeout(timeout):
                    async with session.put(url, data=data, headers={
                            "Content-Type": "text/plain; charset=utf-8"}) as response:
                        if response.status >= 300:
                            raise TransferError(f"HTTP {response.status} from PUT {url}")
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise TransferError(f"PUT {url}: {exc.__class__.__name__}: {exc}") from None
        return url
    raise TransferError(f"unsupported transfer protocol: {scheme or location!r}")


async def download(location: str, *, timeout: float = 30.0) -> bytes:
    """The bytes at ``location``."""
    scheme = urlsplit(location).scheme.lower()
    if scheme == "file":
        path = _file_path(location)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            raise TransferError(f"cannot read {path}: {exc.strerror or exc}") from None
    if scheme == "http":
        try:
            async with aiohttp.ClientSession() as session:
                async with asyncio.timeout(timeout):
                    async with session.get(location) as response:
                        if response.status >= 300:
                            raise TransferError(f"HTTP {response.status} from GET {location}")
                        data = await response.content.read(MAX_DOWNLOAD + 1)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise TransferError(f"GET {location}: {exc.__class__.__name__}: {exc}") from None
        if len(data) > MAX_DOWNLOAD:
            raise TransferError(f"{location}: larger than {MAX_DOWNLOAD} bytes")
        return data
    raise TransferError(f"unsupported transfer protocol: {scheme or location!r}")


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


FIRMWARE_MAGIC = b"OCPPCERT-FIRMWARE "


def firmware_version(image: bytes) -> str:
    """The version a firmware image installs, or TransferError if it is not installable.

    The reference station's "firmware" is a text file whose first line is
    ``OCPPCERT-FIRMWARE <version>``; anything else fails installation
    (InstallationFailed), which is how a test provokes that outcome.
    """
    first = image.split(b"\n", 1)[0].strip()
    if not first.startswith(FIRMWARE_MAGIC):
        raise TransferError("not a firmware image (no OCPPCERT-FIRMWARE header)")
    version = first[len(FIRMWARE_MAGIC):].decode("utf-8", "replace").strip()
    if not version or len(version) > 50:
        raise TransferError("firmware image names no usable version")
    return version


__all__ = ["FIRMWARE_MAGIC", "TransferError", "download", "firmware_version", "upload"]
