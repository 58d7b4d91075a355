"""``signkit audit run|report|summary``: archive audits kept in a results store (SQLite),
resumed after a kill, re-checking only what changed, optionally on a Dask cluster.

Exit codes: ``run`` and ``report`` as ``verify`` (0 all passed, 1 some failed, 3 none failed
but some indeterminate, over the files of the inputs or of the report), 2 for a bad store,
an unreachable scheduler or another usage error (nothing is written then), 130 interrupted
(what was judged is stored; the same command goes on from there)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from .common_options import (
    ISO_MOMENT,
    format_option,
    progress_option,
    report_file_options,
    verification_options,
)
from .errors import (
    EXIT_INDETERMINATE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    echo,
    fail,
    handle_errors,
)
from .i18n import current_lang
from .inputs import input_paths
from .report_output import Interrupts, report_output, spool_folder

_STATUSES = ["TOTAL_PASSED", "TOTAL_FAILED", "INDETERMINATE"]

_TEXT = {
    "run_done": (
        "{files} files in the input: {judged} judged now, {kept} unchanged since their "
        "last audit.",
        "{files} tệp trong đầu vào: {judged} tệp vừa kiểm tra, {kept} tệp không đổi kể từ "
        "lần kiểm tra trước.",
    ),
    "resumed": ("Resumed the unfinished run {run} (validation time {at}).",
                "Tiếp tục lần chạy {run} còn dở (thời điểm kiểm tra {at})."),
    "counts": ("{passed} passed, {failed} failed, {indeterminate} indeterminate",
               "{passed} hợp lệ, {failed} không hợp lệ, {indeterminate} chưa xác định"),
    "interrupted": (
        "interrupted: {judged} files judged and stored; run the same command again to go on",
        "đã dừng: {judged} tệp đã kiểm tra và lưu; chạy lại đúng lệnh này để tiếp tục",
    ),
    "empty": ("the store {store} holds no results yet: run `signkit audit run` first",
              "kho {store} chưa có kết quả nào: hãy chạy `signkit audit run` trước"),
    "paths_needs_expiring": ("--paths lists the files of --expiring: give --expiring too",
                             "--paths liệt kê các tệp của --expiring: cần có --expiring"),
    "files": ("Files: {n}", "Số tệp: {n}"),
    "by_status": ("By status", "Theo kết quả"),
    "by_signer": ("Signatures by signer", "Chữ ký theo người ký"),
    "by_issuer": ("Signatures by issuing CA", "Chữ ký theo CA cấp chứng thư"),
    "by_level": ("Signatures by level", "Chữ ký theo mức"),
    "expiring": ("B-LTA archives whose newest timestamp's certificate expires by {deadline}: "
                 "{n}",
                 "Tệp lưu trữ B-LTA có chứng thư của dấu thời gian mới nhất hết hạn trước "
                 "{deadline}: {n}"),
}


def _say(key: str, **values: object) -> str:
    english, vietnamese = _TEXT[key]
    return (vietnamese if current_lang() == "vi" else english).format(**values)


@click.group()
def audit() -> None:
    """Audits that remember: results in a store, resumed runs, re-checking what changed."""


@audit.command("run")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--store", "store_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path), help="The results store (SQLite"
              " file; created if missing).")
@click.option("--recursive", is_flag=True, help="Walk folders given as INPUT.")
@verification_options
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Local worker processes (default: CPU count); without --scheduler.")
@click.option("--revalidate", is_flag=True,
              help="Judge every file again (a new validation time), not only new and changed "
                   "ones.")
@click.option("--status", "statuses", multiple=True, type=click.Choice(_STATUSES),
              help="Judge again the stored files with this verdict; repeatable.")
@click.option("--since", type=ISO_MOMENT,
              help="Only files modified at or after this moment (ISO 8601).")
@click.option("--rehash", is_flag=True,
              help="Also compare every file's SHA-256 with the stored one (finds files changed "
                   "under the same size and time; reads the whole archive).")
@click.option("--scheduler", metavar="tcp://HOST:PORT|local:N",
              help="Verify on a Dask cluster (pip install 'signkit[dask]'); local:N starts N "
                   "workers here.")
@click.option("--ship-bytes", is_flag=True,
              help="Send the files' bytes to the Dask workers (no shared file system).")
@click.option("--batch-size", type=click.IntRange(min=1), default=200, show_default=True,
              help="Files per Dask task.")
@click.option("--scheduler-timeout", type=click.FloatRange(min=0.1), default=10.0,
              show_default=True, help="Seconds to wait for the scheduler and a worker.")
@progress_option
@click.pass_context
@handle_errors
def run(ctx: click.Context, inputs: tuple[str, ...], store_path: Path, recursive: bool,
        profile_name: str, trust: tuple[Path, ...], other_certs: tuple[Path, ...],
        crls: tuple[Path, ...], offline: bool, at: dt.datetime | None,
        strict_modifications: bool, revocation_timeout: float, jobs: int | None,
        revalidate: bool, statuses: tuple[str, ...], since: dt.datetime | None, rehash: bool,
        scheduler: str | None, ship_bytes: bool, batch_size: int, scheduler_timeout: float,
        no_progress: bool) -> None:
    """Verify INPUT into the store: only files it lacks or that changed (exit codes as
    verify, over all the inputs' files; 2 bad store or scheduler; 130 interrupted)."""
    import signkit
    from signkit.audit import AuditError, SchedulerError, Store, check, connect
    from signkit.verification import VerifyOptions

    if ship_bytes and scheduler is None:
        raise click.UsageError("--ship-bytes sends files to Dask workers: give --scheduler")
    paths = input_paths(inputs)
    signkit.load_profile(profile_name)  # a bad profile is a usage error before any work
    options = VerifyOptions(
        profile=profile_name, trust=trust, other_certs=other_certs, crls=crls,
        offline=offline, at=at,
        strict_modifications=strict_modifications, revocation_timeout=revocation_timeout)
    show_progress = not no_progress and sys.stderr.isatty()
    cluster = None
    judged = 0
    try:
        check(store_path)  # a bad store is refused before a cluster starts
        if scheduler is not None:
            cluster = connect(scheduler, timeout=scheduler_timeout)
        signkit.enable_fast_pdf_parsing()  # process-wide, the CLI's to decide
        with Store.open(store_path) as store, Interrupts(), _progress(show_progress) as bar:
            def progress(report: Any, done: int, total: int) -> None:
                nonlocal judged
                judged = done
                bar(done, total)

            outcome = store.run(paths, options=options, recursive=recursive, jobs=jobs,
                                revalidate=revalidate, statuses=statuses, since=since,
                                rehash=rehash, cluster=cluster, ship_bytes=ship_bytes,
                                batch_size=batch_size, on_progress=progress)
    except SchedulerError as e:
        fail(f"--scheduler: {e}", EXIT_USAGE)  # the library names no option; the CLI does
    except AuditError as e:
        fail(str(e), EXIT_USAGE)
    except KeyboardInterrupt:
        fail(_say("interrupted", judged=judged), EXIT_INTERRUPTED)
    finally:
        if cluster is not None:
            cluster.close()
    if not outcome.files:
        fail("no PDF files found in the given input", EXIT_USAGE)
    if outcome.resumed:
        echo(_say("resumed", run=outcome.run_id, at=outcome.validation_time.isoformat()))
    echo(_say("run_done", files=outcome.files, judged=outcome.judged,
              kept=outcome.files - outcome.judged))
    echo(_counts(outcome.summary))
    sys.exit(_exit_code(outcome.status.value))


@audit.command("report")
@click.option("--store", "store_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path), help="The results store.")
@report_file_options
@click.option("--status", "statuses", multiple=True, type=click.Choice(_STATUSES),
              help="Only files with this verdict; repeatable.")
@click.option("--signer", help="Only files signed by this signer (common name or certificate "
              "SHA-256).")
@click.option("--path-prefix", help="Only files whose path starts with this.")
@click.option("--since", type=ISO_MOMENT,
              help="Only files modified at or after this moment (ISO 8601).")
@click.pass_context
@handle_errors
def report(ctx: click.Context, store_path: Path, fmt: str, output: Path | None,
           statuses: tuple[str, ...], signer: str | None, path_prefix: str | None,
           since: dt.datetime | None) -> None:
    """The stored results as verify's report (text, json, csv, html), streamed from the
    store (exit codes as verify, over the files reported)."""
    from signkit.audit import AuditError, Store
    from signkit.report import BatchInfo, open_writer

    root = ctx.find_root().obj or {}
    filters = {"status": statuses or None, "signer": signer, "path_prefix": path_prefix,
               "since": since}
    try:
        with Store.open(store_path, readonly=True) as store:
            latest = store.latest_run()
            if latest is None:
                fail(_say("empty", store=store_path), EXIT_USAGE)
            info = BatchInfo(signkit_version=latest["signkit_version"],
                             validation_time=latest["validation_time"],
                             profile=latest["profile"], files=store.count(**filters))
            with report_output(output) as out:
                writer = open_writer(fmt, out, info, lang=root.get("lang", "en"),
                                     verbose=root.get("verbose", False),
                                     spool_dir=spool_folder(output))
                for file_report in store.reports(**filters):
                    writer.add(file_report)
                writer.finish()
    except AuditError as e:
        fail(str(e), EXIT_USAGE)
    sys.exit(_exit_code(writer.status.value))


@audit.command("summary")
@click.option("--store", "store_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path), help="The results store.")
@click.option("--expiring", "window_text", metavar="WINDOW",
              help="List the B-LTA archives whose newest timestamp's certificate expires "
                   "within WINDOW (180d, 6m, 1y): the files `ltv refresh` must renew.")
@click.option("--paths", "paths_only", is_flag=True,
              help="With --expiring: print only those files' paths, one per line.")
@click.option("--top", type=click.IntRange(min=0), default=20, show_default=True,
              help="Signers and CAs listed (0: all).")
@format_option("text", "json", help="Summary format: text, or JSON.")
@handle_errors
def summary(store_path: Path, window_text: str | None, paths_only: bool, top: int,
            fmt: str) -> None:
    """Counts by status, signer, issuing CA and level, and the archives due for renewal."""
    from signkit.audit import AuditError, Store
    from signkit.ltv import Window

    if paths_only and window_text is None:
        fail(_say("paths_needs_expiring"), EXIT_USAGE)
    deadline = None
    if window_text is not None:
        try:
            deadline = Window.parse(window_text).end(dt.datetime.now(dt.UTC))
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="--expiring") from None
    try:
        with Store.open(store_path, readonly=True) as store:
            if paths_only:
                for path, _ in store.expiring(deadline):
                    echo(path)
                return
            counts = store.summary(expiring_within=deadline, top=top or None)
    except AuditError as e:
        fail(str(e), EXIT_USAGE)
    if fmt == "json":
        echo(json.dumps(_summary_data(counts, deadline), ensure_ascii=False, indent=2))
        return
    lines = [_say("files", n=counts.files), _say("by_status") + ":"]
    lines += [f"  {name}: {n}" for name, n in counts.by_status.items()]
    for key, rows in (("by_signer", counts.by_signer), ("by_issuer", counts.by_issuer),
                      ("by_level", counts.by_level)):
        lines.append(_say(key) + ":")
        lines += [f"  {n:>7}  {name}" for name, n in rows]
    if deadline is not None:
        lines.append(_say("expiring", deadline=deadline.date().isoformat(),
                          n=len(counts.expiring)))
        lines += [f"  {expires.date().isoformat()}  {path}" for path, expires in counts.expiring]
    echo("\n".join(lines))


def _summary_data(counts: Any, deadline: dt.datetime | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "files": counts.files, "by_status": counts.by_status,
        "by_signer": dict(counts.by_signer), "by_issuer": dict(counts.by_issuer),
        "by_level": dict(counts.by_level),
    }
    if deadline is not None:
        data["expiring"] = {"deadline": deadline.isoformat(), "files": [
            {"path": path, "tsa_certificate_expires": expires.isoformat()}
            for path, expires in counts.expiring]}
    return data


def _counts(summary: dict[str, int]) -> str:
    return _say("counts", passed=summary["TOTAL_PASSED"], failed=summary["TOTAL_FAILED"],
                indeterminate=summary["INDETERMINATE"])


def _exit_code(status: str) -> int:
    return {"TOTAL_PASSED": EXIT_OK, "TOTAL_FAILED": EXIT_SOME_FAILED}.get(
        status, EXIT_INDETERMINATE)


@contextlib.contextmanager
def _progress(show: bool) -> Iterator[Any]:
    if not show:
        yield lambda done, total: None
        return
    bar = None
    try:
        def update(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = click.progressbar(length=total, file=sys.stderr, label="auditing")
                bar.__enter__()
            bar.update(done - bar.pos)

        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
