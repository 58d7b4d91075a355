"""The README's integrator example runs as written, after `signkit demo` (as `make demo`)."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def _readme_python_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_readme_example_signs_with_the_demo_token(tmp_path: Path):
    blocks = _readme_python_blocks()
    assert blocks, "the README has a Python example"
    shutil.copytree(ROOT / "fixtures" / "pdf", tmp_path / "fixtures" / "pdf")
    env = {k: v for k, v in os.environ.items()
           if k not in ("SOFTHSM2_CONF", "SIGNKIT_PIN", "SIGNKIT_PKCS11_MODULE")}
    signkit_cmd = Path(sys.executable).parent / "signkit"
    demo = subprocess.run([str(signkit_cmd), "demo", "--workdir", "demo-work"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    run = subprocess.run([sys.executable, "-c", blocks[0]], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "SignStatus.SIGNED Signature1 Nguyễn Văn Demo" in run.stdout
    signed = tmp_path / "demo-work" / "qd-123-signed.pdf"
    pdfsig = subprocess.run(["pdfsig", str(signed)], capture_output=True, text=True)
    assert "Signature is Valid" in pdfsig.stdout and "Total document signed" in pdfsig.stdout


def test_readme_streaming_verification_example_writes_its_report(tmp_path: Path):
    """The auditors' example: iter_verify and open_writer over what the demo signed."""
    block = next(b for b in _readme_python_blocks() if "iter_verify" in b)
    shutil.copytree(ROOT / "fixtures" / "pdf", tmp_path / "fixtures" / "pdf")
    env = {k: v for k, v in os.environ.items()
           if k not in ("SOFTHSM2_CONF", "SIGNKIT_PIN", "SIGNKIT_PKCS11_MODULE")}
    signkit_cmd = Path(sys.executable).parent / "signkit"
    demo = subprocess.run([str(signkit_cmd), "demo", "--workdir", "demo-work"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    run = subprocess.run([sys.executable, "-c", block], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    printed = re.search(r"^# (\{.*\})$", block.splitlines()[-1].split("  ", 1)[1])
    assert printed is not None
    assert run.stdout.splitlines()[-1] == printed.group(1)
    report = (tmp_path / "demo-work" / "report.csv").read_bytes().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(report, newline="")))
    assert [row["file_status"] for row in rows] == ["TOTAL_PASSED"] * 4
