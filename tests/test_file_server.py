"""The harness's file server: published downloads, upload areas, refusals, bounded waits.

A real aiohttp server on a loopback port, exercised with a real HTTP client.
"""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from ocppcert.roles.file_server import FileServer, TransferKind


@pytest.fixture
async def files():
    async with FileServer() as server:
        yield server


async def test_a_published_file_is_downloaded_and_recorded(files):
    url = files.publish("/firmware/image.bin", b"\x00\x01firmware")
    assert url.startswith("http://127.0.0.1:") and url.endswith("/firmware/image.bin")
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as response:
            assert response.status == 200
            assert await response.read() == b"\x00\x01firmware"
    [download] = files.downloads
    assert (download.kind, download.method, download.path) == (
        TransferKind.DOWNLOAD, "GET", "/firmware/image.bin")


async def test_head_gives_the_length_without_the_body(files):
    url = files.publish("firmware/image.bin", b"12345")
    async with aiohttp.ClientSession() as http:
        async with http.head(url) as response:
            assert response.status == 200
            assert response.content_length == 5


async def test_an_unknown_path_is_404_and_recorded_as_missing(files):
    async with aiohttp.ClientSession() as http:
        async with http.get(files.url_for("/firmware/absent.bin")) as response:
            assert response.status == 404
    assert [t.kind for t in files.transfers] == [TransferKind.MISSING]
    assert files.downloads == []


async def test_put_and_post_into_an_upload_area_are_stored(files):
    base = files.accept_uploads("/diagnostics/")
    async with aiohttp.ClientSession() as http:
        async with http.put(base + "log-1.txt", data=b"line 1\n") as response:
            assert response.status == 201
        async with http.post(base + "log-2.txt", data=b"line 2\n") as response:
            assert response.status == 200
    assert [(u.method, u.path, u.data) for u in files.uploads] == [
        ("PUT", "/diagnostics/log-1.txt", b"line 1\n"),
        ("POST", "/diagnostics/log-2.txt", b"line 2\n")]


async def test_a_multipart_post_keeps_the_file_part(files):
    base = files.accept_uploads("/diagnostics")
    form = aiohttp.FormData()
    form.add_field("note", "not the file")
    form.add_field("file", b"diagnostic bytes", filename="diag.zip",
                   content_type="application/zip")
    async with aiohttp.ClientSession() as http:
        async with http.post(base, data=form) as response:
            assert response.status == 200
    [upload] = files.uploads
    assert (upload.data, upload.file_name, upload.content_type) == (
        b"diagnostic bytes", "diag.zip", "application/zip")


async def test_uploads_outside_an_upload_area_are_not_stored(files):
    files.accept_uploads("/diagnostics/")
    async with aiohttp.ClientSession() as http:
        async with http.put(files.url_for("/elsewhere/x.txt"), data=b"x") as response:
            assert response.status == 404
        async with http.put(files.url_for("/diagnosticsX"), data=b"x") as response:
            assert response.status == 404
    assert files.uploads == []


async def test_a_refusing_path_answers_its_status_and_records_the_attempt(files):
    url = files.refuse("/full-disk/", 507)
    async with aiohttp.ClientSession() as http:
        async with http.put(url + "diag.txt", data=b"data") as response:
            assert response.status == 507
        async with http.get(url + "firmware.bin") as response:
            assert response.status == 507
    assert [(t.kind, t.method, t.status) for t in files.transfers] == [
        (TransferKind.REFUSED, "PUT", 507), (TransferKind.REFUSED, "GET", 507)]
    assert files.uploads == []
    with pytest.raises(ValueError):
        files.refuse("/ok/", 200)


async def test_wait_for_returns_a_transfer_as_it_happens(files):
    url = files.publish("/f.bin", b"f")

    async def fetch_later():
        await asyncio.sleep(0.05)
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as response:
                await response.read()

    fetching = asyncio.create_task(fetch_later())
    found = await files.wait_for(lambda t: t.kind is TransferKind.DOWNLOAD, timeout=5)
    await fetching
    assert found.path == "/f.bin"


async def test_wait_for_is_bounded(files):
    with pytest.raises(TimeoutError):
        await files.wait_for(lambda t: True, timeout=0.1)


async def test_beside_an_endpoint_uses_its_interface_and_advertised_name():
    class Stub:
        url = "http://harness.example:8080/ocpp"

        class server:  # noqa: N801 - mimics the endpoint's attribute
            host = "127.0.0.1"

    beside = FileServer.beside(Stub())
    assert (beside.host, beside.advertise_host) == ("127.0.0.1", "harness.example")
    async with beside:
        assert beside.url.startswith("http://harness.example:")
