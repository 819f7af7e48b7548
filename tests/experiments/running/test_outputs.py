"""Atomic writers: a destination holds the old or the complete new file, never
a half-written one, and no temporary file remains."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.figure import Figure

from experiments.running.outputs import save_figure, write_csv, write_parquet, write_text


def test_write_text_and_overwrite(tmp_path):
    p = tmp_path / "a.txt"
    write_text(p, "one")
    write_text(p, "two")
    assert p.read_text() == "two"
    assert [x.name for x in tmp_path.iterdir()] == ["a.txt"]


def test_write_parquet_round_trip(tmp_path):
    df = pd.DataFrame({"step": [1, 2], "firm": ["A", "B"], "profit": [1.5, -2.0]})
    write_parquet(tmp_path / "t.parquet", df)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t.parquet"), df)
    write_csv(tmp_path / "t.csv", df, index=False)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "t.csv"), df)
    assert sorted(x.name for x in tmp_path.iterdir()) == ["t.csv", "t.parquet"]


def test_save_figure(tmp_path):
    fig = Figure()
    fig.subplots().plot([0, 1], [1, 0])
    save_figure(tmp_path / "f.png", fig)
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"
    assert [x.name for x in tmp_path.iterdir()] == ["f.png"]


def test_failure_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    p = tmp_path / "t.parquet"
    write_text(p, "old")

    class Broken:
        def to_parquet(self, path, **kwargs):
            with open(path, "w") as fh:
                fh.write("half")
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_parquet(p, Broken())
    assert p.read_text() == "old"
    assert [x.name for x in tmp_path.iterdir()] == ["t.parquet"]
