"""``signkit verify``: verdicts for files and folder trees, in four report formats."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from .common_options import progress_option, report_file_options, verification_options
from .errors import (
    EXIT_INDETERMINATE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    fail,
    handle_errors,
)
from .inputs import input_paths
from .report_output import Interrupts, report_output, spool_folder


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--recursive", is_flag=True, help="Walk folders given as INPUT.")
@verification_options
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: CPU count).")
@report_file_options
@progress_option
@click.pass_context
@handle_errors
def verify(ctx: click.Context, inputs: tuple[str, ...], recursive: bool, profile_name: str,
           trust: tuple[Path, ...], other_certs: tuple[Path, ...], crls: tuple[Path, ...],
           offline: bool, at: dt.datetime | None, strict_modifications: bool,
           revocation_timeout: float, jobs: int | None, fmt: str, output: Path | None,
           no_progress: bool) -> None:
    """Verify signed PDFs: an ETSI verdict per file (exit 0 all passed, 1 some failed,
    3 none failed but some could not be checked, 130 interrupted)."""
    from signkit import iter_verify, load_profile
    from signkit.report import open_writer
    from signkit.report.text_report import word
    from signkit.verification import VerifyOptions

    paths = input_paths(inputs)
    load_profile(profile_name)  # a bad profile is a usage error before any work
    options = VerifyOptions(
        profile=profile_name, trust=trust, other_certs=other_certs, crls=crls,
        offline=offline, at=at,
        strict_modifications=strict_modifications,
        revocation_timeout=revocation_timeout,
    )
    root = ctx.find_root().obj or {}
    lang, verbose = root.get("lang", "en"), root.get("verbose", False)
    # text and CSV lines on the same terminal are progress enough (and a bar redrawn between
    # them would garble both)
    streams_to_terminal = output is None and fmt in ("text", "csv") and sys.stdout.isatty()
    show_progress = not no_progress and sys.stderr.isatty() and not streams_to_terminal
    # Reports go to the writer as the workers finish them, in input order; nothing keeps
    # them, so memory stays flat however many files there are (issue #10).
    with iter_verify(paths, options=options, jobs=jobs, recursive=recursive) as stream:
        total = stream.info.files
        if not total:
            fail("no PDF files found in the given input", EXIT_USAGE)
        with report_output(output) as out, Interrupts() as interrupts, \
                _progress(show_progress, total) as bar:
            writer = open_writer(fmt, out, stream.info, lang=lang, verbose=verbose,
                                 spool_dir=spool_folder(output))
            complete = True
            gaps: set[str] = set()
            try:
                for report in stream:
                    with interrupts.deferred():
                        writer.add(report)
                    gaps |= _offline_gaps(report)
                    bar.update(1)
                interrupts.disarm()  # a Ctrl-C from now on must not cut the report's end
            except KeyboardInterrupt:  # the handler has disarmed itself: a second one waits
                complete = False
                stream.close()  # stop the workers now
            writer.finish(complete=complete)
    if not complete:
        note = word("incomplete", lang, done=writer.summary["files"], total=total)
        fail(note + (f" ({output})" if output is not None else ""), EXIT_INTERRUPTED)
    if fmt == "text":  # a person reads it: the options that supply what it says is missing
        for code in sorted(gaps):
            click.echo(_OFFLINE_HINTS[code][lang == "vi"], err=True)
    status = writer.status.value
    sys.exit({"TOTAL_PASSED": EXIT_OK, "TOTAL_FAILED": EXIT_SOME_FAILED}.get(
        status, EXIT_INDETERMINATE))


# what an offline validation lacked (report message codes), and the option that supplies it
_OFFLINE_HINTS = {
    "offline.no_issuer": (
        "hint: give the missing issuer certificates with --other-certs CERT",
        "gợi ý: cung cấp chứng thư số còn thiếu của bên cấp bằng --other-certs TỆP"),
    "offline.no_revocation": (
        "hint: give revocation lists (CRL) with --crl FILE",
        "gợi ý: cung cấp danh sách thu hồi (CRL) bằng --crl TỆP"),
}


def _offline_gaps(report: Any) -> set[str]:
    messages = [*report.messages, *(m for sig in report.signatures for m in sig.messages)]
    return {code for m in messages if (code := getattr(m, "code", None)) in _OFFLINE_HINTS}


class _NoProgress:
    def update(self, n: int) -> None:
        pass


@contextlib.contextmanager
def _progress(show: bool, total: int) -> Iterator[Any]:
    if not show:
        yield _NoProgress()
        return
    with click.progressbar(length=total, file=sys.stderr, label="verifying") as bar:
        yield bar
