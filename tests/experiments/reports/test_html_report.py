"""report.html: the report's Markdown as one self-contained page, every figure embedded."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

import experiments.running.outputs as outputs
from experiments.reports.html_report import main, write_html_report

PNG_BYTES = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
SVG_TEXT = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect id="a" width="4" height="4"/></svg>'
REPORT = """# Experiment: `price_or_club` & friends

A small test market.

| KPI | baseline (baseline: mean) | club |
|---|---:|---:|
| Profit (NPV) | -33,940 | +12,345 [+8,100, +16,590] |

![KPIs over time](figures/kpi_bands.png)

*KPIs over time.*

![People by loyalty state](figures/loyalty_states.png)

![Profit against retention](figures/profit_vs_retention.png)
"""


def data_uris(page: str) -> list[str]:
    """The media types of the page's embedded images, in order."""
    return re.findall(r'<img src="data:([a-z+/]+);base64,', page)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A job folder: report.md, two PNG figures (one with an SVG twin) and one figure missing."""
    figures = tmp_path / "figures"
    figures.mkdir()
    (figures / "kpi_bands.png").write_bytes(PNG_BYTES)
    (figures / "loyalty_states.png").write_bytes(PNG_BYTES)
    (figures / "loyalty_states.svg").write_text(SVG_TEXT)
    (tmp_path / "report.md").write_text(REPORT)
    return tmp_path


def written_page(folder: Path) -> str:
    path = write_html_report(folder)
    assert path == folder / "report.html"
    return path.read_text(encoding="utf-8")


def test_figures_are_embedded_as_data_uris_with_the_svg_twin_preferred(folder):
    page = written_page(folder)
    assert 'src="figures/' not in page
    assert data_uris(page) == ["image/png", "image/svg+xml"]
    assert base64.b64encode(PNG_BYTES).decode() in page
    assert base64.b64encode(SVG_TEXT.encode()).decode() in page
    assert 'id="a"' not in page  # the SVG is an image, not markup of the page


def test_a_missing_figure_shows_its_caption_and_a_visible_note(folder):
    page = written_page(folder)
    note = re.search(r'<span class="figure-missing"[^>]*>(.*?)</span>', page)
    assert note is not None
    assert "Profit against retention" in note.group(1)
    assert "figure missing: figures/profit_vs_retention.png" in note.group(1)


def test_a_figure_outside_the_folder_or_on_the_network_is_not_embedded(folder):
    (folder.parent / "secret.png").write_bytes(PNG_BYTES)
    page = written_page_of(folder, "![a](../secret.png)\n\n![b](https://example.org/x.png)\n")
    assert data_uris(page) == []
    assert "figure missing: ../secret.png" in page
    assert "figure missing: https://example.org/x.png" in page


def written_page_of(folder: Path, markdown: str) -> str:
    return write_html_report(folder, markdown).read_text(encoding="utf-8")


def test_tables_render_with_the_alignment_of_the_markdown_rule_inside_a_scroll_box(folder):
    page = written_page(folder)
    assert '<div class="table-scroll">\n<table>' in page
    headers = re.findall(r"<th(\b[^>]*)>", page)
    assert headers == ["", ' style="text-align:right"', ' style="text-align:right"']
    assert '<td style="text-align:right">+12,345 [+8,100, +16,590]</td>' in page


def test_the_page_references_no_network_resource(folder):
    page = written_page(folder)
    assert re.findall(r'(?:src|href)\s*=\s*"(?:https?:)?//', page) == []
    assert "@import" not in page and "url(" not in page
    assert "<script" not in page and "<link" not in page


def test_the_page_is_titled_by_the_first_heading_in_plain_text_and_declares_its_language(folder):
    page = written_page(folder)
    assert "<title>Experiment: price_or_club &amp; friends</title>" in page
    assert '<meta charset="utf-8">' in page
    assert '<html lang="en">' in page


def test_raw_html_in_the_markdown_is_shown_as_text(folder):
    page = written_page_of(folder, "# <b>x</b>\n\n<script>alert(1)</script>\n\n[y](javascript:alert(1))\n")
    assert "<script>" not in page and "<b>" not in page and 'href="javascript:' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<title>&lt;b&gt;x&lt;/b&gt;</title>" in page


def test_the_markdown_given_is_rendered_rather_than_the_file(folder):
    page = written_page_of(folder, "# Another report\n")
    assert "<title>Another report</title>" in page
    assert "price_or_club" not in page


def test_a_failed_write_leaves_neither_a_partial_file_nor_a_temporary(folder, monkeypatch):
    def fail(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(outputs.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_html_report(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["figures", "report.md"]


def test_a_rebuild_replaces_the_page_and_leaves_no_temporary(folder):
    written_page(folder)
    (folder / "report.md").write_text("# Rebuilt\n")
    assert "<title>Rebuilt</title>" in written_page(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["figures", "report.html", "report.md"]


def test_the_command_rebuilds_a_folders_page(folder, capsys):
    assert main([str(folder)]) == 0
    assert (folder / "report.html").is_file()
    assert str(folder / "report.html") in capsys.readouterr().out


@pytest.mark.parametrize("name", ["empty", "absent"])
def test_the_command_exits_2_with_one_line_for_a_folder_without_report_md(tmp_path, capsys, name):
    target = tmp_path / name
    if name == "empty":
        target.mkdir()
    assert main([str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no report.md" in err and str(target) in err
    assert not (target / "report.html").exists()
