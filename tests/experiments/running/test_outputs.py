"""Atomic writers: a destination holds the old or the complete new file, never
a half-written one, and no temporary file remains."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from experiments.running import outputs
from experiments.running.outputs import save_figure, svg_bytes, write_csv, write_parquet, write_text


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


def test_save_figure_writes_the_png_and_its_svg_twin_with_text_as_text(tmp_path):
    fig = Figure()
    ax = fig.subplots()
    ax.plot([0, 1], [1, 0])
    ax.set_xlabel("retention rate (annual, %)")
    assert save_figure(tmp_path / "f.png", fig) == tmp_path / "f.png"
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"
    svg = (tmp_path / "f.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "retention rate (annual, %)" in svg  # a text element, not glyph outlines
    assert "<dc:date>" not in svg  # the same figure gives the same file
    assert sorted(x.name for x in tmp_path.iterdir()) == ["f.png", "f.svg"]


def test_save_figure_writes_one_svg_for_an_svg_path(tmp_path):
    fig = Figure()
    fig.subplots().plot([0, 1], [1, 0])
    save_figure(tmp_path / "f.svg", fig)
    assert "<svg" in (tmp_path / "f.svg").read_text()
    assert [x.name for x in tmp_path.iterdir()] == ["f.svg"]


def test_a_too_large_svg_is_drawn_again_with_its_dense_scatter_as_a_picture(tmp_path, monkeypatch):
    fig = Figure()
    ax = fig.subplots()
    dots = ax.scatter(*np.random.default_rng(0).random((2, 12_000)), s=2)
    ax.plot([0, 1], [0, 1])  # a sparse line stays a vector
    ax.set_title("dense")
    save_figure(tmp_path / "f.png", fig, dpi=80)
    svg = (tmp_path / "f.svg").read_bytes()
    assert len(svg) <= outputs.SVG_MAX_BYTES and svg.count(b"<image") == 1 and b">dense</text>" in svg
    assert not dots.get_rasterized()  # the figure is left as it was
    monkeypatch.setattr(outputs, "SVG_MAX_BYTES", 10**8)
    vectors = svg_bytes(fig)
    assert b"<image" not in vectors and len(vectors) > 10**6  # 12,000 dots as vectors: about 1.3 MB


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
