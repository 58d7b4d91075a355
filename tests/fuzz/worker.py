"""The child process that verifies fuzzed files: ``python worker.py OPTIONS.json``.

One path per line on stdin; one JSON line per path on stdout: the verdict, or the exception
that escaped ``signkit.verify_pdf``. The parent (``harness.VerifyWorker``) kills and restarts
it when a file takes too long, so a hang is an observation, not a stuck test session.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import sys
import time
import traceback
from pathlib import Path

MEMORY_LIMIT = 2 * 1024**3  # as signkit.batch: a decompression bomb fails here, not the host


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text())
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))

    import signkit

    options = signkit.VerifyOptions(
        offline=True, trust=tuple(map(Path, config["trust"])),
        other_certs=tuple(map(Path, config["other_certs"])), crls=tuple(map(Path, config["crls"])),
        at=dt.datetime.fromisoformat(config["at"]),
    )
    out = sys.stdout
    for line in sys.stdin:
        path = line.rstrip("\n")
        started = time.monotonic()
        try:
            report = signkit.verify_pdf(path, options=options)
            answer = {"status": getattr(report.status, "value", repr(report.status)),
                      "subindication": getattr(report.subindication, "name", None),
                      "messages": [*report.messages,
                                   *(m for s in report.signatures for m in s.messages)][:6]}
        except MemoryError:
            # nothing that allocates here: the exception's frames still hold the memory
            answer = {"escaped": "MemoryError: under the fuzz worker's address-space cap",
                      "where": ["?"], "signkit_where": None}
        except BaseException as e:  # noqa: BLE001 - anything that escapes is the finding
            frames = traceback.extract_tb(e.__traceback__)
            ours = [f for f in frames if "/signkit/" in f.filename.replace("\\", "/")]
            answer = {"escaped": f"{type(e).__name__}: {str(e)[:300]}",
                      "where": [f"{f.filename}:{f.lineno} {f.name}" for f in frames[-4:]],
                      # the last frame of signkit's own code: where the exception got out
                      "signkit_where": (f"{Path(ours[-1].filename).name}:{ours[-1].lineno} "
                                        f"{ours[-1].name}") if ours else None,
                      "traceback": traceback.format_exc()[-3000:]}
        answer["seconds"] = round(time.monotonic() - started, 3)
        out.write(json.dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
