"""What the benchmarks in bench/ share.

Set-up: a throwaway PKI, a SoftHSM2 token holding the signer's key (written through
signkit.tokens.provision), the same key as a PKCS#12 file, a folder of small office PDFs
(``build``); the test PKI of fixtures/pki served live on loopback is in ``livepki``.
Everything lives in one work folder (``work_folder``).

Running and reporting: the common options (``add_size_arguments``, ``add_run_arguments``),
subprocesses that stop the benchmark when they fail (``run_or_exit``), one ``WayResult`` per
way of doing the work, and the printed table, ratio lines and JSON file."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
                cwd: Path | None = None, ok: tuple[int, ...] = (0,)
                ) -> subprocess.CompletedProcess:
    """Run ``cmd``; on an exit code not in ``ok``, stop the benchmark with its output. ``cwd``:
    the work folder, so that no configuration file of the caller's folder (pyhanko.yml) is
    picked up."""
    run = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True,
                         stdin=subprocess.DEVNULL)
    if run.returncode not in ok:
        _give_up(bench, what, cmd, run.returncode, run.stdout, run.stderr)
    return run


def _give_up(bench: str, what: str, cmd: list[str], code: int, out: str, err: str) -> None:
    sys.exit(f"{bench}: {what} failed (exit {code}):\n{' '.join(cmd)}\n"
             f"{out[-2000:]}{err[-4000:]}")


_TICKS = os.sysconf("SC_CLK_TCK")


def _machine_busy_s() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(
            int, f.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / _TICKS


def _cpu_and_children(pid: int) -> tuple[tuple[float, float], list[int]] | None:
    """((user s, system s), child pids) of a live process, from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = [int(c) for c in f.read().split()]
    except OSError:
        return None
    return (int(fields[11]) / _TICKS, int(fields[12]) / _TICKS), children


def run_with_cpu(cmd: list[str], *, bench: str, what: str, env: dict[str, str],
                 cwd: Path, every_s: float = 0.05) -> tuple[float, dict]:
    """Run ``cmd`` like ``run_or_exit`` and sample the CPU time of its process tree while
    it runs: (wall seconds, {"main": (user s, system s), "others": (user s, system s),
    "machine_busy_s": ...}). "others" are the command's descendants (its workers), whose
    time ``wait4`` would not tell when the command does not wait for them. A process's last
    sample is taken at most ``every_s`` before it ends, so the figures are a little low."""
    seen: dict[int, tuple[float, float]] = {}
    out_path, err_path = cwd / ".stdout", cwd / ".stderr"
    busy0 = _machine_busy_s()
    t0 = time.perf_counter()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=err)
        while proc.poll() is None:
            todo = [proc.pid]
            while todo:
                pid = todo.pop()
                sample = _cpu_and_children(pid)
                if sample is not None:
                    seen[pid], children = sample
                    todo.extend(children)
            time.sleep(every_s)
    wall = time.perf_counter() - t0
    busy = _machine_busy_s() - busy0
    if proc.returncode != 0:
        _give_up(bench, what, cmd, proc.returncode, out_path.read_text("utf-8", "replace"),
                 err_path.read_text("utf-8", "replace"))
    others = [v for pid, v in seen.items() if pid != proc.pid]
    return wall, {"main": seen.get(proc.pid, (0.0, 0.0)),
                  "others": (sum(u for u, _ in others), sum(s for _, s in others)),
                  "machine_busy_s": busy}


def cpu_line(label: str, cpu: dict, files: int, wall_s: float) -> str:
    """CPU per document by process, and how busy the machine's cores were."""
    (mu, ms), (ou, osys) = cpu["main"], cpu["others"]
    cores = os.cpu_count() or 1
    per = 1000 / files
    return (f"  {label} CPU per document: main process {(mu + ms) * per:.2f} ms, workers "
            f"{(ou + osys) * per:.2f} ms ({ou * per:.2f} user, {osys * per:.2f} system); "
            f"the {cores} cores {100 * cpu['machine_busy_s'] / (cores * wall_s):.0f}% busy")


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




def add_size_arguments(ap: argparse.ArgumentParser, *, files: int, cli_files: int,
                       verify: int | None = None,
                       files_help: str = "documents to sign") -> None:
    """--files, --cli-files (the per-file pyHanko CLI loop) and, with a default, --verify."""
    ap.add_argument("--files", type=int, default=files,
                    help=f"{files_help} (default {files})")
    ap.add_argument("--cli-files", type=int, default=cli_files,
                    help=f"documents for the per-file pyhanko CLI loop (default {cli_files})")
    if verify is not None:
        ap.add_argument("--verify", type=int, default=verify,
                        help=f"outputs of each way checked with pyHanko's validator "
                             f"(default {verify})")


def add_run_arguments(ap: argparse.ArgumentParser, *,
                      fail_on_target: str = "exit 1 when a target is missed "
                                            "(default: report only)") -> None:
    """--json, --workdir, --keep and --fail-on-target."""
    ap.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    ap.add_argument("--workdir", type=Path,
                    help="work folder (default: a new temporary folder, removed afterwards)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--fail-on-target", action="store_true", help=fail_on_target)


def check_sizes(ap: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Refuse too few files; the number of files for the CLI loop (at most --files)."""
    if args.files < 2 or args.cli_files < 1:
        ap.error("--files must be at least 2 and --cli-files at least 1")
    return min(args.cli_files, args.files)


def compile_bytecode() -> None:
    """Compile signkit's modules and the venv's to bytecode before anything is timed, as
    installing a wheel does: with PYTHONDONTWRITEBYTECODE set (some shells and CI images
    set it), every run of an editable checkout would compile signkit's modules again (some
    60 ms), a cost no installed tool pays."""
    import compileall
    import sysconfig

    root = Path(__file__).resolve().parent.parent
    for folder in (root / "signkit", root / "cli", Path(sysconfig.get_paths()["purelib"])):
        compileall.compile_dir(folder, quiet=2, workers=0)


@contextlib.contextmanager
def work_folder(ap: argparse.ArgumentParser, args: argparse.Namespace,
                prefix: str) -> Iterator[Path]:
    """``--workdir`` (which must be empty) or a new temporary folder, removed at the end
    unless it was given or ``--keep`` asks to keep it."""
    if args.workdir is not None:
        folder = args.workdir.resolve()
        if folder.exists() and any(folder.iterdir()):
            ap.error(f"--workdir {folder} is not empty")
    else:
        folder = Path(tempfile.mkdtemp(prefix=prefix))
    compile_bytecode()
    try:
        yield folder
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(folder, ignore_errors=True)


# --- timing one way -----------------------------------------------------------------------------

@dataclass
class WayResult:
    """One way of doing the benchmark's work, timed from process start to process end."""

    name: str
    command: str
    files: int
    wall_s: float
    docs_per_s: float
    requests: dict = field(default_factory=dict)  # to the loopback services, by kind
    notes: dict = field(default_factory=dict)
    verified: list[str] = field(default_factory=list)  # outputs an independent check passed
    valid: int = 0  # files this way judged valid, when the way itself judges
    problems: list[str] = field(default_factory=list)  # the first few files judged not valid

    def judged(self, file: Path, problem: str | None) -> None:
        """Count ``file`` valid, or keep its problem (the first five are kept)."""
        if problem is None:
            self.valid += 1
        elif len(self.problems) < 5:
            self.problems.append(f"{file.name}: {problem}")


def step(title: str, run: Callable[[], WayResult]) -> WayResult:
    """Run one way, saying what runs and then its wall time and rate."""
    print(f"{title} ...", flush=True)
    way = run()
    print(f"      {way.wall_s:.2f} s, {way.docs_per_s:.2f} docs/s", flush=True)
    return way


def expect_outputs(folder: Path, inputs: list[Path], *, bench: str, what: str) -> list[Path]:
    """The output in ``folder`` of every input; stops the benchmark if one is missing."""
    outs = [folder / f.name for f in inputs]
    missing = [o for o in outs if not o.is_file()]
    if missing:
        sys.exit(f"{bench}: {what} left {len(missing)} outputs missing, e.g. {missing[0]}")
    return outs


def steady_state(wall_s: float, one_file_s: float, files: int) -> dict:
    """A many-file run set against a one-file run: the fixed cost (interpreter, imports,
    login) and the marginal cost of a document."""
    marginal = (wall_s - one_file_s) / (files - 1) if files > 1 else float("nan")
    return {"one_file_run_s": one_file_s, "marginal_ms_per_doc": marginal * 1000,
            "steady_docs_per_s": 1 / marginal if marginal > 0 else None}


def timed_per_file(files: Iterable[Path], run_one: Callable[[Path], None]
                   ) -> tuple[float, dict]:
    """Run ``run_one`` on every file: the wall time and the per-file notes."""
    per_file = []
    t0 = time.perf_counter()
    for f in files:
        t = time.perf_counter()
        run_one(f)
        per_file.append(time.perf_counter() - t)
    wall = time.perf_counter() - t0
    return wall, {"mean_s_per_file": wall / len(per_file), "min_s_per_file": min(per_file),
                  "max_s_per_file": max(per_file)}


# --- reporting ----------------------------------------------------------------------------------

def check_sample(outputs: list[Path], k: int, *, bench: str,
                 problem_of: Callable[[Any], str | None]) -> list[str]:
    """``problem_of(reader)`` (None: fine) on ``k`` outputs spread over the run, each read
    with pyHanko's lenient reader; exits on the first problem. The names checked."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    checked = []
    for path in spread(outputs, k):
        with open(path, "rb") as f:
            problem = problem_of(PdfFileReader(f, strict=False))
        if problem:
            sys.exit(f"{bench}: output {path} does not validate: {problem}")
        checked.append(path.name)
    return checked


def show(cmd: list[str]) -> str:
    return " ".join(cmd)


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def target(value: float, minimum: float) -> dict:
    """A ratio and the target it must reach, for the JSON report."""
    return {"ratio": value, "target": minimum, "pass": value >= minimum}


def ratio_line(label: str, value: float, minimum: float | None = None, *, width: int = 0,
               digits: int = 1) -> str:
    """``  label: 12.3x  (target >= 10x)  PASS``, the label padded to ``width``."""
    line = f"  {label + ':':<{width}} {value:6.{digits}f}x"
    if minimum is not None:
        line += f"  (target >= {minimum:g}x)  {verdict(value >= minimum)}"
    return line


def table(columns: Sequence[tuple[str, int]], rows: Iterable[Sequence[object]]) -> list[str]:
    """Lines of a table: the first column left-aligned, the others right-aligned; floats with
    two decimals."""
    def line(cells: Sequence[object]) -> str:
        texts = [f"{c:.2f}" if isinstance(c, float) else str(c) for c in cells]
        return "  " + " ".join(f"{t:<{w}}" if i == 0 else f"{t:>{w}}"
                               for i, (t, (_, w)) in enumerate(zip(texts, columns, strict=True)))

    return [line([title for title, _ in columns]), *map(line, rows)]


def way_cells(way: WayResult) -> list[object]:
    """The first cells of a way's table row: name, files, wall s, docs/s."""
    return [way.name, way.files, way.wall_s, way.docs_per_s]


WAY_COLUMNS = (("files", 5), ("wall s", 8), ("docs/s", 8))


def startup_line(label: str, notes: dict) -> str:
    """The fixed cost of a run and its rate after start-up (``steady_state``)."""
    steady = f"{notes['steady_docs_per_s']:.1f}" if notes["steady_docs_per_s"] else "n/a"
    return (f"  {label}: one-file run {notes['one_file_run_s']:.2f} s; marginal "
            f"{notes['marginal_ms_per_doc']:.1f} ms/doc ({steady} docs/s after start-up)")


def per_file_line(label: str, notes: dict, *, in_ms: bool = False) -> str:
    """The mean, fastest and slowest file of a per-file loop (``timed_per_file``)."""
    scale, unit, digits = (1000, "ms", 0) if in_ms else (1, "s", 2)
    mean, low, high = (notes[k] * scale for k in ("mean_s_per_file", "min_s_per_file",
                                                   "max_s_per_file"))
    return (f"  {label}: {mean:.{digits}f} {unit}/file (min {low:.{digits}f}, "
            f"max {high:.{digits}f})")


def environment(revision: str | None, load_start: tuple[float, ...] | None = None) -> str:
    """CPUs, Python, the commit measured and, if given, the load average then and now."""
    text = (f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"signkit {revision or '(not a git checkout)'}")
    if load_start is not None:
        text += (f"; load average {load_start[0]:.2f} at start, "
                 f"{os.getloadavg()[0]:.2f} at end")
    return text


def machine(load_start: tuple[float, ...] | None = None) -> dict:
    """The machine and the versions measured, for the JSON report."""
    from importlib.metadata import version

    info = {"cpus": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "pyhanko": version("pyHanko"),
            "pyhanko_cli": version("pyhanko-cli")}
    if load_start is not None:
        info |= {"loadavg_start": load_start, "loadavg_end": os.getloadavg()}
    return info


def warn_over_budget(total_s: float, budget_s: float, advice: str) -> None:
    if total_s > budget_s:
        print(f"  warning: over the {budget_s:.0f} s budget; {advice}", file=sys.stderr)


def write_json(path: Path | None, report: dict) -> None:
    if path is not None:
        path.write_text(json.dumps(report, indent=2) + "\n")
        print(f"  results written to {path}")
