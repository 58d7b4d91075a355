"""The streaming report writers (issue #10): ``open_writer`` gives, one file at a time, the
bytes ``render_*`` give for the whole ``BatchReport``, and a report cut short is still a
valid one that says so."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser

import pytest
from test_report import ALL, BATCH, batch_of

import signkit
from signkit.report import (
    BatchInfo,
    Indication,
    open_writer,
    render_csv,
    render_html,
    render_json,
    render_text,
)


def info_of(report: signkit.BatchReport, files: int | None = None) -> BatchInfo:
    return BatchInfo(report.signkit_version, report.validation_time, report.profile,
                     len(report.files) if files is None else files)


def streamed(fmt: str, report: signkit.BatchReport, *, complete: bool = True,
             files: int | None = None, **kw) -> str:
    out = io.StringIO(newline="")
    writer = open_writer(fmt, out, info_of(report, files), **kw)
    for file in report.files:
        writer.add(file)
    writer.finish(complete=complete)
    return out.getvalue()


RENDER = {
    "json": lambda b, **kw: render_json(b),
    "csv": lambda b, **kw: render_csv(b),
    "text": render_text,
    "html": render_html,
}


# --- the writers -------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["json", "csv", "text", "html"])
@pytest.mark.parametrize("files", [ALL, ALL[:1], ()], ids=["six", "one", "none"])
def test_a_streamed_report_is_byte_for_byte_the_rendered_one(fmt, files):
    report = batch_of(*files)
    assert streamed(fmt, report) == RENDER[fmt](report)


@pytest.mark.parametrize("fmt", ["text", "html"])
def test_streamed_in_vietnamese_and_verbose_is_the_rendered_one(fmt):
    kw = {"lang": "vi"} | ({"verbose": True} if fmt == "text" else {})
    assert streamed(fmt, BATCH, **kw) == RENDER[fmt](BATCH, **kw)


def test_writers_count_and_judge_what_they_were_given():
    out = io.StringIO()
    writer = open_writer("csv", out, info_of(BATCH))
    assert writer.status is Indication.TOTAL_PASSED and writer.summary["files"] == 0
    for file in BATCH.files:
        writer.add(file)
    assert writer.summary == BATCH.summary and writer.status is BATCH.status


def test_an_interrupted_json_report_is_valid_marked_and_counts_only_its_files():
    cut = batch_of(*ALL[:2])
    data = json.loads(streamed("json", cut, complete=False, files=6))
    assert data["complete"] is False
    assert list(data) == ["signkit_version", "validation_time", "profile", "summary",
                          "complete", "files"]
    assert data["summary"] == cut.summary and data["summary"]["files"] == 2
    assert [f["path"] for f in data["files"]] == [f.path for f in ALL[:2]]
    assert "complete" not in json.loads(streamed("json", cut))  # a whole report: as before
    empty = json.loads(streamed("json", batch_of(), complete=False, files=6))
    assert empty["files"] == [] and empty["complete"] is False


def test_interrupted_text_html_and_csv_reports_say_so_where_they_can():
    cut = batch_of(*ALL[:2])
    text = streamed("text", cut, complete=False, files=6)
    assert "interrupted after 2 of 6 files" in text.splitlines()[-2]
    vi = streamed("text", cut, complete=False, files=6, lang="vi")
    assert "bị dừng sau 2 trên 6 tệp" in vi
    page = streamed("html", cut, complete=False, files=6)
    HTMLParser().feed(page)
    assert 'class="reason incomplete">Incomplete: interrupted after 2 of 6 files' in page
    # CSV has nowhere to say it: its rows are whole, and only those of the files done
    assert streamed("csv", cut, complete=False, files=6) == render_csv(cut)


def test_a_finished_writer_refuses_more():
    writer = open_writer("json", io.StringIO(), info_of(BATCH))
    writer.finish()
    with pytest.raises(ValueError):
        writer.add(ALL[0])
    with pytest.raises(ValueError):
        open_writer("xml", io.StringIO(), info_of(BATCH))


def test_the_writers_show_times_in_the_profiles_zone_and_json_keeps_its_own():
    """``open_writer`` finds the zone from the header's profile, as ``signkit verify`` uses it."""
    vn = batch_of(*ALL)  # profile "vn": +07:00
    text = streamed("text", vn, verbose=True)
    assert "signing time: 2026-11-28T22:00:00+07:00" in text
    assert "2026-11-29T05:00:00+07:00" in streamed("html", vn)  # the validation time
    data = json.loads(streamed("json", vn))
    assert data["validation_time"] == "2026-11-28T22:00:00Z"
    assert data["files"][0]["signatures"][0]["signing_time"] == "2026-11-28T15:00:00Z"
    utc = signkit.BatchReport(vn.signkit_version, vn.validation_time, "default", vn.files)
    assert "signing time: 2026-11-28T15:00:00Z" in streamed("text", utc, verbose=True)
