"""Where signkit's per-document time goes: ``DocumentSigner.sign`` on a SoftHSM2 token, in this
process, after one warm-up document (the per-batch costs: the /Contents size probe, the
signature plan). Same set-up as sign_bench.py. Library code is not changed: the phase timer
wraps functions of signkit and pyHanko in this process only.

Three passes over the same documents:

1. plain: no instrumentation, the real ms/document;
2. phases: wall-clock time of the main steps (nested), by wrapping the functions with
   perf_counter; its overhead is a few microseconds per call;
3. cProfile: the functions (cProfile inflates pure-Python code such as asn1crypto's, so read
   its numbers as proportions).

    .venv/bin/python bench/profile_sign.py [--files 100] [--top 30] [--stats out.prof]
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import inspect
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import benchlib


class PhaseTimer:
    """Wall-clock totals of wrapped functions and coroutines (nested calls count in both)."""

    def __init__(self) -> None:
        self.total: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._undo: list[tuple[object, str, object]] = []

    def _timed(self, func, label: str):
        total, calls, clock = self.total, self.calls, time.perf_counter
        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def wrapper(*args, **kwargs):
                t = clock()
                try:
                    return await func(*args, **kwargs)
                finally:
                    total[label] += clock() - t
                    calls[label] += 1
        else:
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                t = clock()
                try:
                    return func(*args, **kwargs)
                finally:
                    total[label] += clock() - t
                    calls[label] += 1
        return wrapper

    def wrap(self, owner: object, attr: str, label: str) -> bool:
        """Time ``owner.attr`` (a class's own or inherited method, or a module's function);
        False when there is no such attribute (the code changed)."""
        try:
            raw = inspect.getattr_static(owner, attr)
        except AttributeError:
            return False
        own = not isinstance(owner, type) or attr in owner.__dict__
        if isinstance(raw, property):
            new: object = property(self._timed(raw.fget, label))
        else:
            new = self._timed(raw, label)
        self._undo.append((owner, attr, raw, own))
        setattr(owner, attr, new)
        return True

    def restore(self) -> None:
        for owner, attr, raw, own in reversed(self._undo):
            if own:
                setattr(owner, attr, raw)
            else:
                delattr(owner, attr)  # it was inherited: uncover the base class's
        self._undo.clear()


def phase_tree():
    """(depth, owner, attribute, label) of the steps of one document, outermost first."""
    import PyKCS11
    from pyhanko.sign.signers import pdf_signer

    from signkit.signing import adapter, document, selfcheck
    from signkit.tokens.pkcs11_key import Pkcs11SigningKey

    signer = adapter.KeySigner  # methods it inherits are timed on it, not on pyHanko's Signer
    return [
        (0, document.DocumentSigner, "sign", "DocumentSigner.sign (whole document)"),
        (1, document.DocumentSigner, "_sign_checked", "DocumentSigner._sign_checked"),
        (2, document.DocumentSigner, "_sign_stream", "DocumentSigner._sign_stream"),
        (3, document, "_open_writer", "_open_writer: IncrementalPdfFileWriter(input)"),
        (3, document, "choose_field", "choose_field: enumerate_sig_fields"),
        (3, pdf_signer.PdfSigner, "async_sign_pdf", "pyHanko PdfSigner.async_sign_pdf"),
        (4, pdf_signer.PdfSigner, "init_signing_session", "PdfSigner.init_signing_session"),
        (4, pdf_signer.PdfSigningSession, "perform_presign_validation",
         "PdfSigningSession.perform_presign_validation"),
        (4, pdf_signer.PdfSigningSession, "prepare_tbs_document",
         "PdfSigningSession.prepare_tbs_document (field, sig dict)"),
        (4, pdf_signer.PdfTBSDocument, "digest_tbs_document",
         "PdfTBSDocument.digest_tbs_document (write + hash)"),
        (4, pdf_signer.PdfTBSDocument, "perform_signature", "PdfTBSDocument.perform_signature"),
        (5, signer, "async_sign", "Signer.async_sign (CMS)"),
        (6, signer, "signed_attrs", "Signer.signed_attrs (build attributes)"),
        (6, signer, "async_sign_prescribed_attributes",
         "Signer.async_sign_prescribed_attributes"),
        (7, signer, "async_sign_raw", "KeySigner.async_sign_raw"),
        (8, Pkcs11SigningKey, "sign", "Pkcs11SigningKey.sign"),
        (9, PyKCS11.Session, "sign", "PyKCS11 Session.sign (C_SignInit + C_Sign)"),
        (7, signer, "_package_signature", "Signer._package_signature (SignedData)"),
        (8, signer, "signer_info", "Signer.signer_info (SignerInfo)"),
        (4, pdf_signer.PdfPostSignatureDocument, "post_signature_processing",
         "PdfPostSignatureDocument.post_signature_processing"),
        (2, document, "check_signed_output", "check_signed_output (self-check)"),
        (3, selfcheck.PrefixDigests, "result", "PrefixDigests.result (input bytes hashed)"),
        (3, selfcheck, "validate_sig_integrity", "validate_sig_integrity"),
        (1, os, "fsync", "os.fsync (file + folder)"),
    ]


def print_phases(timer: PhaseTimer, tree, n: int) -> None:
    print(f"\nphases, wall-clock ms per document (mean over {n}; children indented; "
          "'rest' = parent minus listed children)")
    for i, (depth, _owner, _attr, label) in enumerate(tree):
        if not timer.calls[label]:
            continue  # not on this code's path
        ms = timer.total[label] / n * 1000
        print(f"  {'  ' * depth}{label:<{62 - 2 * depth}} {ms:8.2f}   "
              f"calls/doc {timer.calls[label] / n:4.1f}")
        children = []
        for d, _o, _a, lab in tree[i + 1:]:
            if d <= depth:
                break
            if d == depth + 1:
                children.append(lab)
        if children:
            rest = ms - sum(timer.total[c] for c in children) / n * 1000
            print(f"  {'  ' * (depth + 1)}{'(rest)':<{60 - 2 * depth}} {rest:8.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=100, help="documents per pass (default 100)")
    ap.add_argument("--top", type=int, default=30, help="rows in the cProfile tables")
    ap.add_argument("--stats", type=Path, help="also save the raw cProfile data here")
    ap.add_argument("--workdir", type=Path, help="work folder (default: temporary)")
    args = ap.parse_args(argv)

    workdir = args.workdir.resolve() if args.workdir else Path(
        tempfile.mkdtemp(prefix="signkit-profile-"))
    try:
        setup = benchlib.build(workdir, args.files + 1)
        from signkit import SignOptions, enable_fast_pdf_parsing
        from signkit.signing.document import DocumentSigner
        from signkit.tokens import open_token

        enable_fast_pdf_parsing()  # as the signkit command does at start-up
        options = SignOptions(reason=benchlib.REASON)
        warm, *files = setup.files
        n = len(files)
        passes = ("warm", "plain", "phases", "plain2", "prof")
        outs = {name: workdir / f"out-{name}" for name in passes}
        for folder in outs.values():
            folder.mkdir()
        with (
            open_token(module=setup.module, token=benchlib.TOKEN_LABEL,
                       key_label=benchlib.KEY_LABEL, pin=setup.pin) as key,
            DocumentSigner(key, options) as signer,
        ):
            signer.sign(warm, outs["warm"] / warm.name)

            t0 = time.perf_counter()
            for f in files:
                signer.sign(f, outs["plain"] / f.name)
            plain = time.perf_counter() - t0

            timer = PhaseTimer()
            tree = [step for step in phase_tree() if timer.wrap(*step[1:])]
            try:
                t0 = time.perf_counter()
                for f in files:
                    signer.sign(f, outs["phases"] / f.name)
                timed = time.perf_counter() - t0
            finally:
                timer.restore()

            t0 = time.perf_counter()
            for f in files:
                signer.sign(f, outs["plain2"] / f.name)
            plain2 = time.perf_counter() - t0

            profiler = cProfile.Profile()
            t0 = time.perf_counter()
            profiler.enable()
            for f in files:
                signer.sign(f, outs["prof"] / f.name)
            profiler.disable()
            profiled = time.perf_counter() - t0
        out_size = sum(p.stat().st_size for p in outs["plain"].iterdir()) / n
        in_size = sum(p.stat().st_size for p in files) / n
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"signkit DocumentSigner.sign, {n} documents after 1 warm-up (SoftHSM2, RSA-2048); "
          f"input {in_size / 1024:.1f} KiB, output {out_size / 1024:.1f} KiB on average")
    print(f"  plain:        {plain / n * 1000:7.1f} ms/doc ({n / plain:.1f} docs/s)")
    print(f"  phase timer:  {timed / n * 1000:7.1f} ms/doc")
    print(f"  plain again:  {plain2 / n * 1000:7.1f} ms/doc (the spread between passes)")
    print(f"  cProfile:     {profiled / n * 1000:7.1f} ms/doc")
    print_phases(timer, tree, n)

    stats = pstats.Stats(profiler, stream=sys.stdout)
    if args.stats:
        stats.dump_stats(str(args.stats))
    print(f"\ncProfile, top {args.top} by cumulative time (totals over {n} documents)")
    stats.sort_stats("cumulative").print_stats(args.top)
    print(f"cProfile, top {args.top} by own time")
    stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
