"""The parameter table, ``docs/parameters.md``, generated from the config dataclasses.

Every model parameter is a field of a config dataclass, made by
:func:`sim.config.param` with its default, allowed range, unit, meaning and
the source of its default. This module lays those out as one Markdown
document, so the documentation has a single source of truth and cannot
drift from the code: the market (:class:`sim.config.MarketConfig`, keys
``market.*``; one table per section) and every registered strategy
(:mod:`strategies.registry`, keys ``strategy.<name>.*``).

``python -m experiments.reports.parameter_table`` writes the file (atomically);
``--check`` only compares it with what would be written and exits 1 if it is
out of date (a test and CI run the check).
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from sim.config import (
    CustomerConfig,
    FirmConfig,
    MarketConfig,
    ParameterRow,
    SegmentConfig,
    describe,
    list_item_type,
)

#: the generated document
DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "parameters.md"
#: the command that writes it
COMMAND = "python -m experiments.reports.parameter_table"

#: how a source begins, by the kind of support it gives the default (the tally of the intro)
SOURCE_KINDS = (
    ("calibrated", "calibrated to a published figure or a target of this model"),
    ("measured", "measured in this repository"),
    ("assumption", "assumption (no empirical source)"),
    ("definition", "definition of a label, report or metric (no empirical source)"),
    ("setting", "setting of the run, the engine or a programme's schedule (not a behavioural assumption)"),
)
PUBLISHED = "a publication or a seed article"

_INTRO = f"""\
# Model parameters

Every parameter of the model, with its default, unit, allowed values, meaning and the source of its default: one
table per section of the market config (keys `market.*`, set in `conf/market/*.yaml` or as overrides such as
`market.customers.visits_per_year_mean=20`), then one per strategy (keys `strategy.<name>.*`, the parameters of a
strategy entry in a firm's `strategies` list).

**Generated, do not edit by hand.** This file is written from the config dataclasses (`sim/config.py`,
`strategies/*.py`: each field's `param(...)` holds its unit and source) by `{COMMAND}`, and a test fails when it is
out of date. To change a default, a unit, a meaning or a source, edit the dataclass and run the command again.

The defaults are those of the dataclasses, which make the default `retail` market (`conf/market/retail.yaml`
changes nothing); the other presets of `conf/market/` and the experiments of `conf/experiment/` override some of
them. `allowed` is an interval (`(` open, `[` closed) or the choices; empty when any value of the parameter's type
is allowed.

Units used below:

- **share (0–1)**: a fraction of something; **probability per X**: the chance of an event each time X happens.
- **score (0–1)**: a level on the model's 0–1 scales (experience and its parts: price fairness, quality, service,
  belonging; expectation; affect; engagement; skill); **affect**, **engagement**, **service** (0–1) are such scores.
- **zone units**: satisfaction on the customer's zone of tolerance: 0 at their adequate level, 1 at their desired
  level.
- **utility**: the scale of the firm-choice utility (times `choice.logit_scale` in logit points).
- **switching-cost units**: the scale of contracts and programme bonds (a subscription contract is 0.35; it enters
  the choice times `choice.beta_switching`).
- **currency**: money of the market, at the reference price index 1; **FTE**: a full-time-equivalent employee.
- **rate per year**: an event rate (in a step of *dt* years the chance is 1 − exp(−rate · dt)); **weeks**,
  **years**: durations, whatever the step length; **steps**: steps of the simulation.
- **label**: a name or choice; **flag (true/false)**: a switch.

Sources: an author and year is a publication (the full reference is in the meaning, the code's docstrings or
`docs/model.md`); "seed NNN" is one of the five seed articles listed under "Sources" in `README.md`; "calibrated
to …" means the value was set so that the model reproduces that figure; "assumption (no empirical source)" means
no published figure supports the value (a judgement, often a candidate for calibration); "definition" and
"setting" mark values that are not claims about behaviour.
"""


@dataclass(frozen=True)
class Section:
    """One table of the document: its ``title``, a ``note`` said before it
    (the dataclass's own docstring, and how its defaults are read), its
    ``rows`` and any ``extra`` Markdown after it (default lists in full)."""

    title: str
    note: str
    rows: list[ParameterRow]
    extra: str = ""


def _first_paragraph(cls: type) -> str:
    """The first paragraph of a class's docstring on one line, its
    reStructuredText roles and literals as Markdown code ("" if none)."""
    doc = " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())
    return re.sub(r"(?::\w+:)?``?([^`]+)``?", r"`\1`", doc)


def _with_defaults(rows: list[ParameterRow], item: Any) -> list[ParameterRow]:
    """``rows`` of a list item's dataclass with the defaults of ``item`` (one entry of a default list)."""
    return [dataclasses.replace(r, default=getattr(item, r.key.rsplit(".", 1)[1])) for r in rows]


def _market_sections() -> list[Section]:
    """The market's sections: its top-level keys, then each nested config in
    field order (the customer segments after the customers, the firms as a
    list; the engine, which results do not depend on, last)."""
    top: list[ParameterRow] = []
    nested: list[Section] = []
    market = MarketConfig()
    for f in dataclasses.fields(MarketConfig):
        key = f"market.{f.name}"
        value = getattr(market, f.name)
        if f.name == "firms":
            nested.append(_firms_section(value))
        elif dataclasses.is_dataclass(value):
            rows = [r for r in describe(type(value), key + ".") if not r.key.endswith(".segments")]
            nested.append(Section(f"`{key}`: {f.name.replace('_', ' ')}", _first_paragraph(type(value)), rows))
            if isinstance(value, CustomerConfig):
                nested.append(_segments_section(value.segments))
        else:
            top += [r for r in describe(MarketConfig, "market.") if r.key == key]
    nested.sort(key=lambda s: s.title.startswith("`market.engine`"))
    return [Section("`market`: the market", _first_paragraph(MarketConfig), top), *nested]


def _segments_section(segments: list[SegmentConfig]) -> Section:
    """The keys of one customer segment, with the first default segment's values."""
    rows = _with_defaults(describe(SegmentConfig, "market.customers.segments[i]."), segments[0])
    names = ", ".join(f"`{s.name}`" for s in segments)
    note = (
        f"{_first_paragraph(SegmentConfig)} `market.customers.segments` is a list of segments, each with the keys "
        f"below; the default market has {len(segments)} ({names}). The `default` column shows the first "
        f"(`{segments[0].name}`), which differs from a bare `SegmentConfig()`; all of them are listed after the table."
    )
    return Section("`market.customers.segments[i]`: customer segments", note, rows, _items_table(segments))


def _firms_section(firms: list[FirmConfig]) -> Section:
    """The keys of one firm, with the first default firm's values, and what the other default firms change."""
    rows = _with_defaults(describe(FirmConfig, "market.firms[i]."), firms[0])
    names = ", ".join(f"`{f.name}`" for f in firms)
    note = (
        f"{_first_paragraph(FirmConfig)} `market.firms` is a list of firms, each with the keys below; the default "
        f"market has {len(firms)} ({names}). The `default` column shows the first (`{firms[0].name}`, the "
        f"`FirmConfig` defaults); the keys where the default firms differ are listed after the table."
    )
    differing = [
        f.name
        for f in dataclasses.fields(FirmConfig)
        if f.name != "name" and len({repr(getattr(firm, f.name)) for firm in firms}) > 1
    ]
    return Section("`market.firms[i]`: firms", note, rows, _items_table(firms, differing))


def _items_table(items: Sequence[Any], keys: Sequence[str] | None = None) -> str:
    """A Markdown table of the default entries of a list of dataclasses: one
    row per key (``keys``, default all), one column per entry."""
    keys = [f.name for f in dataclasses.fields(items[0]) if f.name != "name"] if keys is None else list(keys)
    head = "| key | " + " | ".join(f"`{i.name}`" for i in items) + " |"
    rule = "|---|" + "---|" * len(items)
    body = [f"| `{k}` | " + " | ".join(_cell(_fmt(getattr(i, k))) for i in items) + " |" for k in keys]
    return "\n".join(["Default entries:", "", head, rule, *body])


def _strategy_sections() -> list[Section]:
    """One section per registered strategy (every module of ``strategies/`` registers itself on import);
    a list of typed entries (the club's events) is listed by its entries' keys, then its default entries."""
    from strategies.registry import REGISTRY, available

    sections = []
    for name in available():
        config_class = REGISTRY[name].config_class
        rows, extra = [], []
        for f in dataclasses.fields(config_class):
            key, item = f"strategy.{name}.{f.name}", list_item_type(config_class, f)
            if dataclasses.is_dataclass(item):
                rows += describe(item, f"{key}[i].")
                extra.append(f"Default `{key}`:\n\n" + _entries_table(f.default_factory()))  # type: ignore[misc]
            else:
                rows += [r for r in describe(config_class, f"strategy.{name}.") if r.key == key]
        sections.append(
            Section(
                f"`strategy.{name}`: {name.replace('_', ' ')}", REGISTRY[name].description, rows, "\n\n".join(extra)
            )
        )
    return sections


def _entries_table(entries: Sequence[Any]) -> str:
    """The default entries of a list of dataclasses as a table, one row per entry."""
    keys = [f.name for f in dataclasses.fields(entries[0])]
    head = "| " + " | ".join(keys) + " |"
    rule = "|" + "---|" * len(keys)
    body = ["| " + " | ".join(_cell(_fmt(getattr(entry, k))) for k in keys) + " |" for entry in entries]
    return "\n".join([head, rule, *body])


def sections() -> list[Section]:
    """Every section of the document, in order: the market's, then each strategy's."""
    return [*_market_sections(), *_strategy_sections()]


def parameter_rows() -> list[ParameterRow]:
    """Every parameter of the market and of every registered strategy, one
    row each (list entries by ``[i]``, with the first default entry's values)."""
    return [row for section in sections() for row in section.rows]


def source_kind(source: str) -> str:
    """The kind of support a source gives a default: its first word when
    that is one of :data:`SOURCE_KINDS`, else :data:`PUBLISHED`."""
    first = source.split(" ", 1)[0]
    return next((text for word, text in SOURCE_KINDS if word == first), PUBLISHED)


def _fmt(value: Any) -> str:
    """A default as a config file spells it: true/false, numbers and lists as written, strings bare."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def _cell(text: str) -> str:
    """Text made safe for a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _table(rows: Sequence[ParameterRow]) -> str:
    """The Markdown table of ``rows``: key | default | unit | allowed | meaning | source."""
    lines = ["| key | default | unit | allowed | meaning | source |", "|---|---|---|---|---|---|"]
    for r in rows:
        cells = [f"`{r.key}`", f"`{_fmt(r.default)}`", r.unit, r.allowed, r.meaning, r.source]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def _tally(rows: Sequence[ParameterRow]) -> str:
    """How many defaults rest on each kind of source, as a small table."""
    kinds = [PUBLISHED, *(text for _, text in SOURCE_KINDS)]
    counts = {k: 0 for k in kinds}
    for r in rows:
        counts[source_kind(r.source)] += 1
    lines = [f"{len(rows)} parameters; the sources of their defaults:", "", "| source | parameters |", "|---|---|"]
    lines += [f"| {k} | {counts[k]} |" for k in kinds]
    return "\n".join(lines)


def render_markdown() -> str:
    """The whole document: the intro, the tally of sources, then one table per section."""
    all_sections = sections()
    rows = [row for s in all_sections for row in s.rows]
    parts = [_INTRO, _tally(rows), "## Contents", "\n".join(f"- {s.title}" for s in all_sections)]
    for s in all_sections:
        parts.append(f"## {s.title}")
        if s.note:
            parts.append(s.note)
        parts.append(_table(s.rows))
        if s.extra:
            parts.append(s.extra)
    return "\n\n".join(p.strip("\n") for p in parts) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write ``docs/parameters.md`` atomically (``--check``: write nothing;
    exit 1, with one line on stderr, if the file is missing or out of date)."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date; write nothing")
    args = parser.parse_args(argv)
    text = render_markdown()
    if args.check:
        if not DOC_PATH.exists():
            print(f"{DOC_PATH} is missing: run {COMMAND}", file=sys.stderr)
            return 1
        if DOC_PATH.read_text(encoding="utf-8") != text:
            print(f"{DOC_PATH} is out of date: run {COMMAND}", file=sys.stderr)
            return 1
        return 0
    from experiments.running.outputs import atomic_path

    with atomic_path(DOC_PATH) as tmp:
        tmp.write_text(text, encoding="utf-8")
    print(f"wrote {DOC_PATH} ({len(parameter_rows())} parameters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
