"""The documentation runs: every shell and Python block of README.md and docs/*.md, as
written, in a copy of the repository where `make demo` has run (``signkit demo``), with the
demo PKI's services started (``signkit demo --serve``) as the README says.

The reader's shell is the one the README's clerk section leaves: the venv's ``bin`` on
``PATH`` and the demo token's ``SOFTHSM2_CONF`` exported; no ``SIGNKIT_*`` variable, no
user config. Each document's blocks run in order in their own copy of that folder, each
shell block in ``bash -e -o pipefail``, each Python block in a fresh interpreter; a block
fails the test when it exits non-zero or prints a traceback. A Python line
``print(...)  # TEXT`` must print TEXT.

Blocks that cannot run here (a real national token, a remote service, a cluster, the
whole test suite) carry a visible mark on the line before the fence, with the reason:
``<!-- not-run: needs a real token -->``. Synopses of a command's options are fenced as
``text``, not ``sh``. The demo services' port in the docs (127.0.0.1:8719, the default of
``signkit demo --serve``) is replaced by the one the test serves on.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT

DOCUMENTS = ["README.md", *sorted(p.relative_to(ROOT).as_posix()
                                   for p in (ROOT / "docs").glob("*.md"))]
RUNNABLE = {"sh": "sh", "bash": "sh", "shell": "sh", "python": "python"}
NOT_RUN = re.compile(r"<!--\s*not-run:\s*(?P<reason>[^>]*?)\s*-->\s*$")
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)[ \t]*$")
DOC_PORT = "127.0.0.1:8719"
SIGNKIT = Path(sys.executable).parent / "signkit"


@dataclass(frozen=True)
class Block:
    document: str
    line: int  # of the opening fence, 1-based
    lang: str  # "sh" or "python"
    code: str
    not_run: str | None  # the reason, when marked

    @property
    def name(self) -> str:
        return f"{self.document}:{self.line}"


def blocks(document: str) -> list[Block]:
    """The shell and Python blocks of ``document``, in order (indented ones in lists too)."""
    lines = (ROOT / document).read_text(encoding="utf-8").splitlines()
    found, i = [], 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        indent, lang, start = fence["indent"], fence["lang"], i
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1
        if lang not in RUNNABLE:
            continue
        before = next((ln for ln in reversed(lines[:start]) if ln.strip()), "")
        marked = NOT_RUN.search(before)
        found.append(Block(document, start + 1, RUNNABLE[lang], "\n".join(body) + "\n",
                           marked["reason"] if marked else None))
    return found


# --- the demo folder and its services ----------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SIGNKIT_") and k not in ("SOFTHSM2_CONF", "VIRTUAL_ENV")}
    env["PATH"] = f"{SIGNKIT.parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


@dataclass(frozen=True)
class DemoRepo:
    folder: Path  # a repository root where `make demo` ran
    port: int

    def copy(self, destination: Path) -> Path:
        shutil.copytree(self.folder, destination, symlinks=True)
        return destination

    def env(self, folder: Path) -> dict[str, str]:
        return _clean_env(
            SOFTHSM2_CONF=str(folder / "demo-work" / "softhsm" / "softhsm2.conf"),
            HOME=str(folder / "home"), LANG="C.UTF-8")


@pytest.fixture(scope="module")
def demo_repo(tmp_path_factory) -> Iterator[DemoRepo]:
    """What a clone looks like after `make demo`, with `signkit demo --serve` running."""
    folder = tmp_path_factory.mktemp("repo")
    shutil.copytree(ROOT / "fixtures" / "pdf", folder / "fixtures" / "pdf")
    (folder / ".venv").symlink_to(ROOT / ".venv")
    (folder / "home").mkdir()
    port = _free_port()
    server = subprocess.Popen(
        [str(SIGNKIT), "demo", "--workdir", "demo-work", "--port", str(port), "--serve"],
        cwd=folder, env=_clean_env(HOME=str(folder / "home")), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    printed = []
    assert server.stdout is not None
    for line in server.stdout:  # the demo, then the services' URLs
        printed.append(line)
        if line.strip().startswith("CRL:"):
            break
    else:
        server.wait(timeout=30)
        pytest.fail("signkit demo --serve did not serve:\n" + "".join(printed))
    try:
        yield DemoRepo(folder, port)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            rest, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
        assert server.returncode == 0 and "demo services stopped" in rest, rest


@dataclass(frozen=True)
class Ran:
    block: Block
    returncode: int
    stdout: str
    stderr: str


def run_block(block: Block, folder: Path, env: dict[str, str], port: int) -> Ran:
    code = block.code.replace(DOC_PORT, f"127.0.0.1:{port}")
    if block.lang == "sh":
        command = ["bash", "-e", "-o", "pipefail", "-c", code]
    else:
        command = [sys.executable, "-c", code]
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True,
                          timeout=600)
    return Ran(block, done.returncode, done.stdout, done.stderr)


def run_document(document: str, demo_repo: DemoRepo, folder: Path) -> list[Ran]:
    demo_repo.copy(folder)
    env = demo_repo.env(folder)
    return [run_block(b, folder, env, demo_repo.port) for b in blocks(document)
            if b.not_run is None]


def failures(results: list[Ran]) -> list[str]:
    wrong = []
    for ran in results:
        text = ran.stdout + ran.stderr
        problem = None
        if ran.returncode != 0:
            problem = f"exit code {ran.returncode}"
        elif "Traceback (most recent call last)" in text:
            problem = "a traceback"
        else:
            for expected in _expected_prints(ran.block):
                if expected not in ran.stdout:
                    problem = f"no {expected!r} in its output"
        if problem:
            first = ran.block.code.strip().splitlines()[0]
            wrong.append(f"{ran.block.name} ({first!r}): {problem}\n{text[-3000:]}")
    return wrong


def _expected_prints(block: Block) -> list[str]:
    if block.lang != "python":
        return []
    return [m["out"] for m in re.finditer(r"^\s*print\(.*\)\s+# (?P<out>.+)$", block.code,
                                          flags=re.M)]


# --- tests --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def readme(demo_repo, tmp_path_factory) -> tuple[Path, list[Ran]]:
    folder = tmp_path_factory.mktemp("readme") / "repo"
    return folder, run_document("README.md", demo_repo, folder)


def test_every_readme_block_runs_as_written(readme):
    _, results = readme
    assert results, "the README has runnable blocks"
    assert not failures(results), "\n\n".join(failures(results))


@pytest.mark.parametrize("document", [d for d in DOCUMENTS if d != "README.md"])
def test_every_block_of_the_docs_runs_as_written(document, demo_repo, tmp_path):
    results = run_document(document, demo_repo, tmp_path / "repo")
    assert not failures(results), "\n\n".join(failures(results))


def test_the_readme_signs_with_the_demo_token_and_pdfsig_agrees(readme):
    folder, results = readme
    (api,) = [r for r in results if "signkit.open_token(" in r.block.code]
    assert "SignStatus.SIGNED Signature1 Nguyễn Văn Demo" in api.stdout
    pdfsig = subprocess.run(["pdfsig", str(folder / "demo-work" / "qd-123-signed.pdf")],
                            capture_output=True, text=True)
    assert "Signature is Valid" in pdfsig.stdout and "Total document signed" in pdfsig.stdout


def test_the_readme_streaming_verification_writes_its_report(readme):
    folder, results = readme
    (stream,) = [r for r in results if "iter_verify" in r.block.code]
    report = (folder / "demo-work" / "report.csv").read_bytes().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(report, newline="")))
    assert rows and {row["file_status"] for row in rows} == {"TOTAL_PASSED"}
    assert stream.stdout.splitlines()[-1].startswith(f"{{'files': {len(rows)},")


def test_blocks_that_do_not_run_say_why_and_stay_few():
    every = [b for d in DOCUMENTS for b in blocks(d)]
    skipped = [b for b in every if b.not_run is not None]
    assert all(len(b.not_run or "") >= 10 for b in skipped), [b.name for b in skipped]
    assert len(skipped) * 3 <= len(every), [b.name for b in skipped]


def test_the_block_finder_reads_fences_marks_and_indented_blocks(tmp_path, monkeypatch):
    doc = tmp_path / "doc.md"
    doc.write_text("text\n\n```sh\necho one\n```\n\n<!-- not-run: needs a real token -->\n"
                   "```python\nprint(1)  # 1\n```\n\n- item:\n\n  ```sh\n  echo two\n  ```\n"
                   "```toml\na = 1\n```\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = blocks("doc.md")
    assert [(b.line, b.lang, b.code, b.not_run) for b in found] == [
        (3, "sh", "echo one\n", None),
        (8, "python", "print(1)  # 1\n", "needs a real token"),
        (14, "sh", "echo two\n", None),
    ]
    assert _expected_prints(found[1]) == ["1"]


# --- the demo: reuse, --fresh, the services -------------------------------------------------

def test_a_second_demo_reuses_the_pki_so_earlier_outputs_still_verify(demo_repo, tmp_path):
    folder = demo_repo.copy(tmp_path / "repo")
    env = demo_repo.env(folder)
    work = folder / "demo-work"
    root_before = (work / "pki" / "root.pem").read_bytes()
    kept = tmp_path / "earlier.pdf"
    shutil.copy(work / "decree30" / "qd-124-quyet-dinh-vi.pdf", kept)
    again = subprocess.run([str(SIGNKIT), "demo", "--workdir", "demo-work"], cwd=folder,
                           env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reused from the last run" in again.stdout
    # the fixture's `--serve` holds the port: the demo judged its files with the root's CRL
    assert (work / "pki" / "root.crl").is_file() and "0 not checkable" in again.stdout
    assert (work / "pki" / "root.pem").read_bytes() == root_before
    verify = [str(SIGNKIT), "verify", str(kept), "--trust", "demo-work/pki/root.pem"]
    assert subprocess.run(verify, cwd=folder, env=env, capture_output=True).returncode == 0
    fresh = subprocess.run([str(SIGNKIT), "demo", "--workdir", "demo-work", "--fresh",
                            "--port", str(_free_port())], cwd=folder, env=env,
                           capture_output=True, text=True, timeout=300)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert "made now" in fresh.stdout
    assert (work / "pki" / "root.pem").read_bytes() != root_before
    stale = subprocess.run(verify, cwd=folder, env=env, capture_output=True, text=True)
    assert stale.returncode != 0  # the earlier file's root is gone, as --fresh warns


def test_the_demo_leaves_what_the_examples_need(demo_repo):
    work = demo_repo.folder / "demo-work"
    for name in ("pki/root.pem", "pki/organisation.p12", "pki/organisation-password.txt",
                 "images/chu-ky.png", "images/con-dau.png", "qd-124-quyet-dinh-vi.pdf",
                 "demo-pin.txt", "decree30/qd-124-quyet-dinh-vi.pdf"):
        assert (work / name).is_file(), name
    from PIL import Image

    seal = Image.open(work / "images" / "con-dau.png").convert("RGBA")
    pixels = [p for p in seal.get_flattened_data() if p[3] > 128]
    assert len(pixels) > 0.1 * seal.width * seal.height  # a rim of letters, not a bare ring
    assert all(r > 150 and g < 90 and b < 90 for r, g, b, _ in pixels[::50])  # red
    # drawn at the demo profile's seal size (its [appearance] seal_size_mm), 2 pt padding
    from pyhanko.pdf_utils.reader import PdfFileReader

    from signkit.profiles import load_profile

    size_mm = load_profile("demo").appearance.seal_size_mm
    assert size_mm is not None
    signed = (work / "decree30" / "qd-124-quyet-dinh-vi.pdf").read_bytes()
    seal_field = PdfFileReader(io.BytesIO(signed)).embedded_signatures[1].sig_field
    x1, y1, x2, y2 = (float(v) for v in seal_field["/Rect"])
    assert (x2 - x1, y2 - y1) == pytest.approx((size_mm * 72 / 25.4 + 4,) * 2, abs=1)


def test_the_served_tsa_and_crl_answer_and_a_b_lta_signature_verifies_online(
        demo_repo, tmp_path):
    folder = demo_repo.copy(tmp_path / "repo")
    env = demo_repo.env(folder)
    base = f"http://127.0.0.1:{demo_repo.port}/signkit-demo"
    out = folder / "lta.pdf"
    sign = subprocess.run(
        [str(SIGNKIT), "sign", "demo-work/qd-124-quyet-dinh-vi.pdf", "-o", str(out),
         "--pin-file", "demo-work/demo-pin.txt", "--level", "B-LTA", "--tsa",
         f"{base}/tsa/tsa", "--trust", "demo-work/pki/root.pem"],
        cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    assert sign.returncode == 0, sign.stdout + sign.stderr
    verify = subprocess.run([str(SIGNKIT), "verify", str(out), "--trust",
                             "demo-work/pki/root.pem", "--format", "json"],
                            cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    import json

    (signature,) = json.loads(verify.stdout)["files"][0]["signatures"]
    assert signature["level"] == "PAdES-B-LTA"
    assert signature["revocation"]["checked"] is True
    crl = subprocess.run(["openssl", "crl", "-inform", "DER", "-noout", "-issuer"],
                         input=_get(f"{base}/crls/root/latest.crl"), capture_output=True)
    assert b"signkit Demo Root CA" in crl.stdout


def _get(url: str) -> bytes:
    from urllib.request import urlopen

    with urlopen(url, timeout=30) as answer:  # loopback only: the demo's own service
        return answer.read()


def test_serve_without_a_demo_says_so_and_a_taken_port_is_refused(demo_repo, tmp_path):
    from signkit.demo import DemoError, serve

    folder = demo_repo.copy(tmp_path / "repo")
    with pytest.raises(DemoError, match=rf"port {demo_repo.port} on 127.0.0.1 is in use"):
        serve(folder / "demo-work")
    with pytest.raises(DemoError, match="there is no demo PKI"):
        serve(tmp_path / "nothing-here")


# --- the docs stand alone -------------------------------------------------------------------

def test_the_docs_link_only_to_files_in_the_repository():
    """No pointer outside the repository (the design notes it was written from live in
    docs/ now), and every relative link of README.md and docs/*.md resolves."""
    broken = []
    for document in DOCUMENTS:
        text = (ROOT / document).read_text(encoding="utf-8")
        assert "../shared" not in text and "DESIGN.md" not in text, document
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not ((ROOT / document).parent / target).exists():
                broken.append(f"{document}: {target}")
    assert not broken, broken
    for name in ("design.md", "report-schema.md", "exit-codes.md"):
        assert (ROOT / "docs" / name).is_file(), name


def test_help_texts_name_no_repository_documents():
    from click.testing import CliRunner
    from signkit.cli.main import cli

    def commands(group, path=()):
        yield path
        for name, command in getattr(group, "commands", {}).items():
            yield from commands(command, (*path, name))

    for path in commands(cli):
        shown = CliRunner().invoke(cli, [*path, "--help"], terminal_width=200)
        assert shown.exit_code == 0, (path, shown.output)
        for pointer in ("DESIGN", "../", "docs/", ".md"):
            assert pointer not in shown.output, (path, pointer)
