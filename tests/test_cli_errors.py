"""What the terminal shows when things go wrong: one readable line and a documented exit code,
never a traceback (issue #9). These run ``signkit`` as a real process: in-process, pytest's own
log handlers would hide what Python prints for log records when nothing else is configured."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE

import signkit

P12_PASSWORD = "p12-secret"


def signkit_cli(*args: str | Path, **run: Any) -> subprocess.CompletedProcess:
    """``signkit ARGS`` in a fresh interpreter (the PKCS#12 password in SIGNKIT_PIN)."""
    if "stdout" not in run:
        run["capture_output"] = True
    return subprocess.run(
        [sys.executable, "-c", "from signkit.cli.main import cli; cli()", *map(str, args)],
        text=True, timeout=120, stdin=subprocess.DEVNULL,
        env={**os.environ, "SIGNKIT_PIN": P12_PASSWORD}, **run)


@pytest.fixture(scope="module")
def tsa_url(pki_services) -> str:
    return pki_services[0] + "/testing-ca/tsa/tsa"


@pytest.fixture(scope="module")
def signed(pki, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli-errors") / "signed.pdf"
    with signkit.open_pkcs12(pki.p12("signer-rsa2048"), password=P12_PASSWORD) as key:
        signkit.sign_pdf(SAMPLE, out, key=key)
    return out


def trust(pki) -> list[str | Path]:
    return ["--trust", pki.pem("root"), "--other-certs", pki.pem("interm")]


# --- pyHanko's log records with a traceback attached -------------------------------------------

UNTRUSTED_TSA_COMMANDS = {
    "timestamp": lambda pki, out: ["timestamp", SAMPLE, "-o", out],
    "sign --level B-T": lambda pki, out: ["sign", SAMPLE, "-o", out, "--pkcs12",
                                          pki.p12("signer-rsa2048"), "--level", "B-T"],
}


@pytest.mark.parametrize("command", UNTRUSTED_TSA_COMMANDS)
def test_an_untrusted_tsa_is_one_plain_line_without_traceback(pki, tsa_url, tmp_path, command):
    """pyHanko logs the failed TSA path as a warning with two chained tracebacks; signkit
    says what is wrong itself."""
    args = UNTRUSTED_TSA_COMMANDS[command](pki, tmp_path / "out.pdf")
    result = signkit_cli(*args, "--tsa", tsa_url, "--trust", pki.pem("foreign-root"))
    assert result.returncode == 1, result.stderr
    assert "TSA certificate is not trusted" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert "Failed to build path" not in result.stderr  # pyHanko's warning: -v only


def test_verbose_shows_pyhankos_warnings_with_their_tracebacks(pki, tsa_url, tmp_path):
    result = signkit_cli("-v", "timestamp", SAMPLE, "-o", tmp_path / "out.pdf",
                         "--tsa", tsa_url, "--trust", pki.pem("foreign-root"))
    assert result.returncode == 1, result.stderr
    assert "WARNING pyhanko" in result.stderr and "Traceback" in result.stderr


# --- a report that cannot be written --------------------------------------------------------------

def test_a_report_on_a_full_disk_is_exit_2_with_a_plain_message(pki, signed):
    """/dev/full takes the open and refuses every write with ENOSPC. A device is written in
    place: an atomic replace would swap the device node for a regular file."""
    result = signkit_cli("verify", signed, *trust(pki), "--format", "json", "-o", "/dev/full")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == "signkit: cannot write the report to /dev/full: " \
                                    "the disk is full"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_report_into_a_missing_folder_is_exit_2_with_a_plain_message(pki, signed, tmp_path):
    target = tmp_path / "no-such-folder" / "report.json"
    result = signkit_cli("verify", signed, *trust(pki), "--format", "json", "-o", target)
    assert result.returncode == 2, result.stderr
    assert "cannot write the report" in result.stderr
    assert "the folder does not exist" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_a_report_on_stdout_to_a_full_disk_is_exit_2_with_a_plain_message(pki, signed):
    with open("/dev/full", "w") as full:
        result = signkit_cli("verify", signed, *trust(pki), "--format", "json",
                             stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == "signkit: cannot write the output: the disk is full"
