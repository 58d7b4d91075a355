"""What a Python user writes with pyHanko alone: load a PKCS#12 once with SimpleSigner, then
sign each file with ``signers.sign_pdf`` in a loop. Run by sign_bench.py as its own process
(so that its imports and start-up are timed like signkit's); prints one JSON line.

    BENCH_P12_PASSWORD=... python bench/pyhanko_library_loop.py P12 OUT_DIR FILE...
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

T_START = time.perf_counter()

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.sign import fields, signers  # noqa: E402


def main(argv: list[str]) -> int:
    p12, out_dir, *files = argv
    t_imported = time.perf_counter()
    signer = signers.SimpleSigner.load_pkcs12(
        p12, passphrase=os.environ["BENCH_P12_PASSWORD"].encode()
    )
    if signer is None:
        print("cannot load the PKCS#12 file", file=sys.stderr)
        return 2
    reason = os.environ.get("BENCH_REASON")
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t_loop = time.perf_counter()
    for name in files:
        src = Path(name)
        with open(src, "rb") as inf:
            writer = IncrementalPdfFileWriter(inf, strict=False)
            with open(out / src.name, "wb") as outf:
                signers.sign_pdf(writer, meta, signer=signer, output=outf)
    t_end = time.perf_counter()
    print(json.dumps({
        "imports_s": t_imported - T_START,
        "load_pkcs12_s": t_loop - t_imported,
        "loop_s": t_end - t_loop,
        "files": len(files),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
