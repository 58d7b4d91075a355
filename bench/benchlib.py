"""Shared set-up for the benchmarks in bench/: a throwaway PKI, a SoftHSM2 token holding the
signer's key (written through signkit.tokens.provision), the same key as a PKCS#12 file, and
a folder of small office PDFs. Everything lives in one work folder."""

from __future__ import annotations

import io
import os
import random
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

TOKEN_LABEL = "signkit-bench"
KEY_LABEL = "bench-signer"
CA_LABEL = f"{KEY_LABEL}-ca0"  # import_key_and_certificate names extra certificates <label>-caN
REASON = "Benchmark"

_TEXT = (
    "quyet dinh ve viec phe duyet ke hoach cong tac nam so hoa van ban hanh chinh "
    "can cu luat to chuc chinh quyen dia phuong theo de nghi cua giam doc so noi vu "
    "uy ban nhan dan tinh chu tich dieu khoan thi hanh ke tu ngay ky cac co quan "
    "don vi lien quan chiu trach nhiem bao cao ket qua thuc hien dinh ky hang quy"
)


@dataclass
class BenchSetup:
    folder: Path
    module: str
    softhsm_conf: Path
    pin: str
    p12: Path
    p12_password: bytes
    root_pem: Path
    signer_pem: Path
    inputs: Path
    files: list[Path] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        """The environment for a subprocess: our SoftHSM2 config, nothing else of ours."""
        return clean_env(SOFTHSM2_CONF=str(self.softhsm_conf), **extra)


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without the caller's PIN and module settings, plus
    ``extra``: what a benchmark's subprocess gets."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("SIGNKIT_PIN", "PYHANKO_PKCS11_PIN", "SIGNKIT_PKCS11_MODULE")}
    env.update(extra)
    return env


def tool(name: str, bench: str) -> str:
    """The venv's ``name`` command (beside this Python), else the one on PATH."""
    path = Path(sys.executable).parent / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        sys.exit(f"{bench}: cannot find the {name} command (is the venv installed?)")
    return found


def run_or_exit(cmd: list[str], *, bench: str, what: str, env: dict[str, str] | None = None,
                cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``cmd``; on a non-zero exit, stop the benchmark with its output. ``cwd``: the work
    folder, so that no configuration file of the caller's folder (pyhanko.yml) is picked up."""
    run = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True,
                         stdin=subprocess.DEVNULL)
    if run.returncode != 0:
        sys.exit(f"{bench}: {what} failed (exit {run.returncode}):\n"
                 f"{' '.join(cmd)}\n{run.stdout[-2000:]}{run.stderr[-4000:]}")
    return run


def spread(items: list, k: int) -> list:
    """``k`` of ``items``, evenly spread from the first to the last."""
    n = len(items)
    k = max(1, min(k, n))
    picks = sorted({round(i * (n - 1) / (k - 1)) for i in range(k)} if k > 1 else {0})
    return [items[i] for i in picks]


def office_pages(rng: random.Random, index: int) -> list[list[str]]:
    """Two or three A4 pages of plain administrative text (ASCII, ~35 lines a page)."""
    words = _TEXT.split()
    pages: list[list[str]] = []
    for p in range(rng.choice((2, 2, 3))):
        lines = []
        if p == 0:
            lines += ["UY BAN NHAN DAN TINH DEMO", f"So: {index + 1}/QD-UBND",
                      "QUYET DINH", "Ve viec phe duyet ke hoach cong tac", ""]
        while len(lines) < 35:
            lines.append(" ".join(rng.choice(words) for _ in range(rng.randint(9, 14))))
        lines.append(f"Trang {p + 1}")
        pages.append(lines)
    return pages


def write_office_pdfs(folder: Path, n_files: int, *, seed: int = 2024) -> list[Path]:
    """``n_files`` small office PDFs ``vb-0001.pdf``... in ``folder`` (the same ones for the
    same seed)."""
    from signkit.demo import sample_pdf_writer

    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    files = []
    for i in range(n_files):
        path = folder / f"vb-{i + 1:04d}.pdf"
        buf = io.BytesIO()
        sample_pdf_writer(office_pages(rng, i)).write(buf)
        path.write_bytes(buf.getvalue())
        files.append(path)
    return files


def build(folder: Path, n_files: int, *, seed: int = 2024) -> BenchSetup:
    """Create PKI, token, PKCS#12 and ``n_files`` PDFs in ``folder``.

    Sets ``SOFTHSM2_CONF`` in this process (the token is written through PyKCS11 here)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    from signkit.demo import make_demo_pki, softhsm_module
    from signkit.tokens.provision import (
        import_key_and_certificate,
        init_token,
        write_softhsm_config,
    )

    folder.mkdir(parents=True, exist_ok=True)
    module = softhsm_module()
    conf = write_softhsm_config(folder / "softhsm")
    os.environ["SOFTHSM2_CONF"] = str(conf)

    key, signer_cert, root = make_demo_pki(folder / "pki")
    pin = secrets.token_hex(4)
    init_token(module, label=TOKEN_LABEL, so_pin=secrets.token_hex(8), user_pin=pin)
    import_key_and_certificate(
        module, token_label=TOKEN_LABEL, user_pin=pin, key=key, certificate=signer_cert,
        label=KEY_LABEL, key_id=b"\x01", extra_certificates=(root,),
    )

    p12_password = secrets.token_hex(8).encode()
    p12 = folder / "pki" / "signer.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        KEY_LABEL.encode(), key, signer_cert, [root],
        serialization.BestAvailableEncryption(p12_password),
    ))
    p12.chmod(0o600)

    inputs = folder / "in"
    files = write_office_pdfs(inputs, n_files, seed=seed)
    return BenchSetup(
        folder=folder, module=module, softhsm_conf=conf, pin=pin, p12=p12,
        p12_password=p12_password, root_pem=folder / "pki" / "root.pem",
        signer_pem=folder / "pki" / "signer.pem", inputs=inputs, files=files,
    )


def git_revision() -> str | None:
    """The commit measured, with "+dirty" when the work tree has changes to tracked files."""
    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=here,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=here, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty.strip() else "")


def show(cmd: list[str]) -> str:
    return " ".join(cmd)


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def keep_service_keys_loaded() -> None:
    """Make certomancer's services (TSA, OCSP responder, CRLs) in this process sign with keys
    loaded once, as a real TSA or responder does: certomancer re-parses the private key for
    every signature, which for RSA means cryptography's key check, ~70-90 ms of CPU per
    token, and on a shared 2-core machine that would time the test PKI, not the signer."""
    from certomancer import crypto_utils
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    class KeyCachingBackend(crypto_utils.PycaCryptographyBackend):
        def __init__(self) -> None:
            self._keys: dict[bytes, object] = {}

        def generic_sign(self, private_key, tbs_bytes, sd_algo) -> bytes:
            if sd_algo.signature_algo != "rsassa_pkcs1v15":
                return super().generic_sign(private_key, tbs_bytes, sd_algo)
            der = private_key.dump()
            key = self._keys.get(der)
            if key is None:
                key = self._keys[der] = serialization.load_der_private_key(der, password=None)
            digest = getattr(hashes, sd_algo.hash_algo.upper())()
            return key.sign(tbs_bytes, padding.PKCS1v15(), digest)

    crypto_utils.CRYPTO_BACKEND = KeyCachingBackend()
