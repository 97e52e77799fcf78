"""report.pdf and ``ocppcert report DIR``: real PDFs read back with poppler (pdftotext, pdftoppm).

The poppler tests skip (with the reason) where poppler-utils is not installed; the command
line and HTML-level tests do not need it. One test runs a real narrow conformance run.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from ocppcert.cli import main
from ocppcert.reporting.pdf import FULL_BODIES_MAX_MESSAGES, cut_policy, render_pdf_html, write_pdf
from tests.test_report_html import sample_document


def _poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.skip(f"{tool} is not installed (Debian: apt-get install poppler-utils); "
                    "the PDF read-back checks need it")
    return found


def _pages(pdf: Path) -> list[str]:
    """The text of each page, in layout order (pdftotext separates pages with a form feed)."""
    out = subprocess.run([_poppler("pdftotext"), "-layout", "-enc", "UTF-8", str(pdf), "-"],
                         capture_output=True, check=True, timeout=60).stdout.decode("utf-8")
    return out.split("\f")[:-1]


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pdf(sample_document(), tmp_path_factory.mktemp("pdf") / "report.pdf")


def test_every_page_has_the_running_header_and_page_x_of_y(sample_pdf: Path) -> None:
    pages = _pages(sample_pdf)
    assert len(pages) >= 8  # cover, index, one page start per case (six)
    for number, text in enumerate(pages, start=1):
        assert f"page {number} of {len(pages)}" in text
        assert "Ünïcode & <Vendor> CS-9000 · firmware 1.2.3 · OCPP 1.6 Central System" in text
        assert re.search(r"6 cases: 1 PASS, 1 FAIL, 1 ERROR, 1 NOT APPLICABLE,\s+(\S.*\s+)?"
                         r"1 PARTIAL, 1 SKIPPED", text), text[:400]


def test_each_case_starts_a_page_and_the_index_gives_its_page(sample_pdf: Path) -> None:
    pages = _pages(sample_pdf)
    document = sample_document()
    index = next(i for i, text in enumerate(pages) if "Case index" in text)
    starts = {}
    for case in document["cases"]:
        heading = re.compile(rf"^\s*{case['verdict'].replace('_', ' ')}\s+{case['id']}\s+"
                             rf"{re.escape(case['title'])}", re.M)
        found = [n for n, text in enumerate(pages, start=1)
                 if n - 1 != index and heading.search(text)]
        assert len(found) == 1, (case["id"], found)
        starts[case["id"]] = found[0]
        # a page of its own: no other case's facts on the page it starts
        for other in document["cases"]:
            if other is not case:
                assert not re.search(rf"Case\s+{other['id']}\s", pages[found[0] - 1])
        row = re.search(rf"{case['id']}\s.*?(\d+)\s*$", pages[index], re.M)
        assert row and int(row.group(1)) == found[0], (case["id"], row and row.group(0))
    assert sorted(starts.values()) == list(starts.values())  # in report order


def test_the_pdf_holds_the_evidence_and_escapes_nothing_away(sample_pdf: Path) -> None:
    text = "\n".join(_pages(sample_pdf))
    for expected in ("Authorize answers with <idTagInfo> & a status — ]]> déjà vu.",
                     "#2 Authorize response from the SUT: [schema] <Bogus> & co",
                     "Bogus <script>", "[schema] line 2: /s:Envelope/s:Body/o:status",
                     "Zürich &amp; &lt;Söhne&gt; ]]&gt; ✓", "<script>alert('pwned')</",
                     "timeout: no StatusNotification within 30 s", "pics/lab.toml",
                     "ab" * 32, "Note: transport note: <peer closed> & gone",
                     "#3 Authorize fault ✗ SOAP fault"):
        assert expected in text, expected
    # small documents print every envelope
    assert "<o:status>Bogus</o:status>" in text and "<o:x/>" in text


def test_page_images_are_rendered_and_not_blank(sample_pdf: Path, tmp_path: Path) -> None:
    pages = len(_pages(sample_pdf))
    subprocess.run([_poppler("pdftoppm"), "-r", "40", "-png", str(sample_pdf),
                    str(tmp_path / "page")], check=True, timeout=60)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages
    for image in images:
        with Image.open(image) as picture:
            assert picture.size[0] < picture.size[1]  # A4 portrait
            colours = picture.convert("RGB").getcolors(maxcolors=1 << 16)
            assert colours is None or len(colours) > 20, image  # text, not an empty page


def test_a_large_run_prints_envelopes_of_non_pass_cases_only(tmp_path: Path) -> None:
    document = sample_document()
    passing = document["cases"][0]
    many = []
    for n in range(FULL_BODIES_MAX_MESSAGES // 2 + 1):
        case = copy.deepcopy(passing)
        case["id"] = f"TC_BULK_{n:04d}"
        many.append(case)
    big = dict(document, cases=document["cases"] + many)
    every, note = cut_policy(big)
    assert not every and note and "report.html and report.json" in note
    assert cut_policy(document) == (True, None)
    html = render_pdf_html(big)
    assert "&lt;o:status&gt;Bogus&lt;/o:status&gt;" in html  # FAIL case: its envelopes
    assert "&lt;o:x/&gt;" not in html  # PASS cases: none
    assert html.count("TC_BULK_") >= len(many)
    # the real PDF says so on its first page (forced cut on a PASS and a FAIL case: fast)
    pdf = write_pdf(dict(document, cases=document["cases"][:2]), tmp_path / "report.pdf",
                    full_bodies=False)
    pages = _pages(pdf)
    assert "Envelopes in this PDF:" in pages[0]
    text = "\n".join(pages)
    assert "<o:status>Bogus</o:status>" in text and "<o:x/>" not in text
    assert "#2 BootNotification response" in text  # the PASS case's diagram lists its messages


def test_report_command_rerenders_html_pdf_and_checksums(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    document = sample_document()
    document["cases"] = document["cases"][1:3]  # FAIL and ERROR: enough, and fast
    (tmp_path / "report.json").write_text(json.dumps(document), encoding="utf-8")
    assert main(["report", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "report.html" in out and "report.pdf" in out
    assert (tmp_path / "report.pdf").read_bytes()[:5] == b"%PDF-"
    assert "TC_FAIL_002" in (tmp_path / "report.html").read_text(encoding="utf-8")
    sums = (tmp_path / "SHA256SUMS").read_text(encoding="utf-8")
    for name in ("report.html", "report.pdf", "report.json"):
        assert re.search(rf"^[0-9a-f]{{64}}  \*?{re.escape(name)}$", sums, re.M), (name, sums)
    assert not (tmp_path / "junit.xml").exists()  # only html and pdf are re-rendered


@pytest.mark.parametrize("content", [None, "{not json", "[1, 2]"])
def test_report_command_refuses_a_directory_without_a_readable_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None) -> None:
    if content is not None:
        (tmp_path / "report.json").write_text(content, encoding="utf-8")
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("ocppcert report: ")
    assert "report.json" in err
    assert not (tmp_path / "report.html").exists()


def test_a_real_narrow_run_then_ocppcert_report(tmp_path: Path) -> None:
    """ocppcert run (one case) writes report.json; ocppcert report renders it again."""
    report = tmp_path / "run"
    run = subprocess.run([sys.executable, "-m", "ocppcert", "run", "--sut", "central-system",
                          "--ocpp", "1.6", "--report", str(report), "--", "-k", "TC_001"],
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    document = json.loads((report / "report.json").read_text(encoding="utf-8"))
    ids = [c["id"] for c in document["cases"]]
    assert ids and all(i.startswith("TC_001") for i in ids)
    for name in ("report.html", "report.pdf"):
        (report / name).unlink(missing_ok=True)
    again = subprocess.run([sys.executable, "-m", "ocppcert", "report", str(report)],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    html = (report / "report.html").read_text(encoding="utf-8")
    messages = sum(len(c["messages"]) for c in document["cases"])
    assert messages > 0
    for case in document["cases"]:
        assert f'id="{case["id"]}"' in html
        for message in case["messages"]:
            assert f'id="{case["id"]}-m{message["seq"]}"' in html
    text = "\n".join(_pages(report / "report.pdf"))
    for case in document["cases"]:
        assert case["id"] in text and case["title"] in text
    assert "BootNotification" in text
