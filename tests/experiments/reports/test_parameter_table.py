"""docs/parameters.md is generated from the config dataclasses: it is up to
date, lists every parameter with a unit and a source, shows the dataclass
defaults, and ``--check`` catches a stale file."""

from __future__ import annotations

import dataclasses

from experiments.reports import parameter_table
from experiments.reports.parameter_table import COMMAND, DOC_PATH, main, parameter_rows, render_markdown
from sim.config import REQUIRED, MarketConfig, RunConfig, describe, list_item_type
from strategies.registry import REGISTRY, available


def test_docs_parameters_md_is_up_to_date():
    assert DOC_PATH.exists(), f"{DOC_PATH} is missing: run {COMMAND}"
    assert DOC_PATH.read_text(encoding="utf-8") == render_markdown(), f"{DOC_PATH} is out of date: run {COMMAND}"


def test_every_parameter_has_a_unit_and_a_source():
    rows = parameter_rows()
    keys = [r.key for r in rows]
    assert len(keys) == len(set(keys)), "a key is listed twice"
    missing = [r.key for r in [*rows, *describe(RunConfig)] if _is_parameter(r.key) and not (r.unit and r.source)]
    assert not missing, f"parameters without a unit or a source: {missing}"
    assert all(r.meaning for r in rows)


def _is_parameter(key: str) -> bool:
    """A key of describe() that is a parameter, not a list of typed entries (segments, firms), whose
    entries' keys are listed instead."""
    return key not in ("market.customers.segments", "market.firms")


def _typed_entries(config_class: type, f: dataclasses.Field) -> bool:
    return dataclasses.is_dataclass(list_item_type(config_class, f))


def test_market_and_every_strategy_are_listed():
    keys = {r.key for r in parameter_rows()}
    for name in available():
        config_class = REGISTRY[name].config_class
        for f in dataclasses.fields(config_class):
            if _typed_entries(config_class, f):  # the club's events: each key of an entry
                for g in dataclasses.fields(list_item_type(config_class, f)):
                    assert f"strategy.{name}.{f.name}[i].{g.name}" in keys
            else:
                assert f"strategy.{name}.{f.name}" in keys
    for row in describe(MarketConfig, "market."):
        assert row.key in keys or not _is_parameter(row.key), row.key
    assert "market.customers.segments[i].desired_level" in keys and "market.firms[i].wage_per_year" in keys


def _dataclass_default(key: str):
    """The default of ``key`` read from the dataclasses themselves (list entries: the first default entry)."""
    head, rest = key.split(".", 1)
    if head == "strategy":
        name, rest = rest.split(".", 1)
        obj = REGISTRY[name].config_class()
    else:
        obj = MarketConfig()
    for part in rest.split("."):
        if part.endswith("[i]"):
            obj = getattr(obj, part[:-3])[0]
        else:
            obj = getattr(obj, part)
    return obj


def test_defaults_are_the_dataclass_defaults():
    rows = {r.key: r.default for r in parameter_rows()}
    assert rows["market.customers.visits_per_year_mean"] == 23.4
    assert rows["market.n_customers"] == 5000
    assert rows["market.churn.exclusive_relationships"] is False
    assert rows["market.customers.segments[i].name"] == "price"  # the first default segment
    assert rows["market.firms[i].name"] == "Focal" and rows["market.firms[i].wage_per_year"] == 31200.0
    assert rows["strategy.loyalty_points.reward_points"] == 400.0
    assert rows["strategy.price_war.duration"] == 12  # a strategy's own default over the shared schedule's
    assert rows["strategy.club_marketing.events[i].per_year"] == REQUIRED  # an event names all its keys
    for key, default in rows.items():
        assert default == (REQUIRED if _required(key) else _dataclass_default(key)), key


def _required(key: str) -> bool:
    """A key of a list entry that has no default (it must be given)."""
    head, _, name = key.rpartition(".")
    if not head.endswith("[i]") or not head.startswith("strategy."):
        return False
    strategy, field_name = head[len("strategy.") : -3].split(".", 1)
    config_class = REGISTRY[strategy].config_class
    item = list_item_type(config_class, {f.name: f for f in dataclasses.fields(config_class)}[field_name])
    entry = {f.name: f for f in dataclasses.fields(item)}[name]
    return entry.default is dataclasses.MISSING and entry.default_factory is dataclasses.MISSING


def test_the_document_has_a_table_per_section_and_every_key():
    text = render_markdown()
    assert "do not edit by hand" in text and COMMAND in text
    for heading in ("## `market`:", "## `market.customers.segments[i]`:", "## `market.firms[i]`:"):
        assert heading in text
    for name in available():
        assert f"## `strategy.{name}`:" in text
    for r in parameter_rows():
        assert f"| `{r.key}` |" in text


def test_check_fails_on_a_stale_file_and_passes_once_written(tmp_path, monkeypatch, capsys):
    doc = tmp_path / "parameters.md"
    monkeypatch.setattr(parameter_table, "DOC_PATH", doc)
    assert main(["--check"]) == 1  # missing
    assert "is missing" in capsys.readouterr().err
    doc.write_text(render_markdown().replace("23.4", "23.5"), encoding="utf-8")
    assert main(["--check"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "out of date" in err and COMMAND in err
    assert main([]) == 0
    assert doc.read_text(encoding="utf-8") == render_markdown()
    assert main(["--check"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["parameters.md"]  # no temporary left
