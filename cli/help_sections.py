"""Help pages with their options in named sections (``sign`` has some seventy options: one
list is unreadable). Click's own ``Command``, with only ``format_options`` replaced: parsing,
completion and error messages are untouched."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from .common_options import GLOBAL_PARAM_NAMES

GLOBAL_SECTION = "Global options"
OTHER_SECTION = "Other options"


class SectionedCommand(click.Command):
    """A command whose ``--help`` lists its options under ``sections``: (title, parameter
    names) pairs, in order. Options named in no section go under "Other options" (so a new
    option is never hidden); ``-v``, ``--lang`` and ``--help`` under "Global options"."""

    def __init__(self, *args: Any, sections: Sequence[tuple[str, Sequence[str]]] = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sections = tuple((title, tuple(names)) for title, names in sections)
        self._help_name: str | None = "help"

    def section_of(self, name: str | None) -> str:
        for title, names in self.sections:
            if name in names:
                return title
        if name in GLOBAL_PARAM_NAMES or name == self._help_name:
            return GLOBAL_SECTION
        return OTHER_SECTION

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        order = [title for title, _ in self.sections] + [OTHER_SECTION, GLOBAL_SECTION]
        rows: dict[str, list[tuple[str, str]]] = {title: [] for title in order}
        help_option = self.get_help_option(ctx)
        self._help_name = help_option.name if help_option is not None else None
        for param in self.get_params(ctx):
            if not isinstance(param, click.Option):
                continue  # arguments are in the usage line
            record = param.get_help_record(ctx)
            if record is not None:
                rows[self.section_of(param.name)].append(record)
        for title in order:
            if rows[title]:
                with formatter.section(title):
                    formatter.write_dl(rows[title])
