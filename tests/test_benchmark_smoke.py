"""The benchmark's measurement functions run and fill the table's columns
(a tiny smoke check, not a timing test)."""

from experiments.benchmark import COLUMNS, measure, to_csv, to_markdown, _targets


def test_measure_produces_table_columns():
    engine = measure("engine", 500, repeats=1, steps=1, warmup=1, wom=True)
    reference = measure("reference", 500, repeats=1, steps=1, warmup=0)
    for row in (engine, reference):
        assert set(COLUMNS) <= set(row)
        assert row["customer_steps_per_s"] > 0 and row["s_per_step"] > 0
    assert engine["wom_product_s"] is not None and engine["wom_product_s"] >= 0
    rows = [engine, reference]
    md = to_markdown(rows, {"targets": _targets(rows)})
    assert all(c in md for c in COLUMNS)
    assert to_csv(rows).splitlines()[0] == ",".join(COLUMNS)
