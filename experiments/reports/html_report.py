"""The report of a job folder as one self-contained HTML file: ``report.html``.

``report.md`` needs a Markdown viewer and its ``figures/`` folder beside it;
``report.html`` opens in any browser, offline, and can be mailed alone. It is
the report's Markdown rendered by markdown-it (CommonMark with pipe tables),
with every image ``![caption](figures/x.png)`` embedded as a ``data:`` URI:
the SVG twin ``figures/x.svg`` when there is one (as an ``<img>``, not inline
SVG, so that the figure's ids and styles cannot clash with the page's), else
the file itself. A figure that cannot be found shows its caption with the note
"figure missing: figures/x.png" instead of breaking the page.

The page references nothing outside itself (no CDN, web fonts or scripts):
one small embedded style sheet, readable on screen and on paper. Raw HTML in
the Markdown is shown as text (``html=False``), so a report's content cannot
inject markup.

``python -m experiments.reports.html_report FOLDER`` (re)builds the
``report.html`` of a folder holding ``report.md``, e.g. one written before
this module existed; exit status 2 with one line if there is none.
"""

from __future__ import annotations

import argparse
import base64
import html
import os
import sys
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from experiments.running.outputs import write_text

MARKDOWN = "report.md"
HTML = "report.html"
#: the title of a report without a heading
DEFAULT_TITLE = "Report"
#: exit status of bad input (as every command of the project)
EXIT_BAD_INPUT = 2
#: the image files embedded, by suffix: their media type
MEDIA_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
#: the page's only style: system fonts, a readable measure, tables that scroll
#: sideways inside their box rather than widening the page, and print rules
STYLE = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 16px; line-height: 1.5; color: #1f2328; background: #fff;
  max-width: 72rem; margin: 0 auto; padding: 1.5rem 2rem 3rem; overflow-wrap: break-word; }
h1, h2, h3 { line-height: 1.25; margin: 1.6em 0 0.6em; }
h1 { font-size: 1.9rem; margin-top: 0.5em; }
h2 { font-size: 1.4rem; border-bottom: 1px solid #d8dee4; padding-bottom: 0.2em; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.9em;
  background: #f3f4f6; padding: 0.1em 0.3em; border-radius: 3px; }
pre { background: #f6f8fa; padding: 0.8em 1em; overflow-x: auto; }
pre code { background: none; padding: 0; }
.table-scroll { overflow-x: auto; margin: 1em 0; }
table { border-collapse: collapse; font-size: 0.92rem; }
th, td { border: 1px solid #d0d7de; padding: 0.3em 0.6em; vertical-align: top; }
th { background: #f6f8fa; }
td[style*="right"] { font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafbfc; }
img { max-width: 100%; height: auto; display: block; margin: 0.5em 0; }
.figure-missing { display: block; border: 2px dashed #cf222e; color: #82071e; background: #fff5f5;
  padding: 1em; margin: 0.5em 0; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  .table-scroll { overflow: visible; }
  table, img, .figure-missing { break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; }
  a { color: inherit; }
}
""".strip()


def write_html_report(folder: str | os.PathLike, markdown_text: str | None = None) -> Path:
    """Write ``report.html`` into ``folder``, beside ``report.md``; return its path.

    ``markdown_text`` is the report's Markdown (read from ``folder/report.md``
    when None; FileNotFoundError if there is none). Images are resolved
    against ``folder`` and embedded (:func:`render_report_html`). The file is
    written atomically: a failure leaves neither a partial nor a temporary file.
    """
    folder = Path(folder)
    if markdown_text is None:
        markdown_text = (folder / MARKDOWN).read_text(encoding="utf-8")
    return write_text(folder / HTML, render_report_html(markdown_text, folder))


def render_report_html(markdown_text: str, folder: str | os.PathLike) -> str:
    """The whole HTML page of the report ``markdown_text`` whose images are
    relative to ``folder``: titled by its first heading, every image embedded."""
    parser = _parser()
    env = {"folder": Path(folder).resolve()}
    tokens = parser.parse(markdown_text, env)
    body = parser.renderer.render(tokens, parser.options, env)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(report_title(tokens))}</title>\n"
        f"<style>\n{STYLE}\n</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def report_title(tokens: Sequence[Token]) -> str:
    """The plain text of the first heading of the parsed report (its code spans
    and emphasis as their text), or :data:`DEFAULT_TITLE` if it has none."""
    for i, token in enumerate(tokens[:-1]):
        if token.type == "heading_open":
            text = _plain_text(tokens[i + 1]).strip()
            return text or DEFAULT_TITLE
    return DEFAULT_TITLE


def _plain_text(inline: Token) -> str:
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_plain_text(child))
    return "".join(parts)


def _parser() -> MarkdownIt:
    """CommonMark with pipe tables and strikethrough; raw HTML shown as text;
    images embedded and tables wrapped in a box that scrolls sideways."""
    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    parser.add_render_rule("image", _render_image)
    parser.add_render_rule("table_open", lambda *_: '<div class="table-scroll">\n<table>\n')
    parser.add_render_rule("table_close", lambda *_: "</table>\n</div>\n")
    return parser


def _render_image(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    """An ``<img>`` with the figure as a data URI, or the caption with a
    visible note when the figure is not a file of the report's folder."""
    token = tokens[idx]
    src = unquote(str(token.attrGet("src") or ""))
    caption = renderer.renderInlineAsText(token.children or [], options, env)
    figure = figure_file(env["folder"], src)
    if figure is None:
        return (
            f'<span class="figure-missing" role="img" aria-label="{html.escape(caption)}">'
            f"<strong>{html.escape(caption)}</strong><br>figure missing: {html.escape(src)}</span>"
        )
    title = token.attrGet("title")
    title_attr = f' title="{html.escape(str(title))}"' if title else ""
    return f'<img src="{data_uri(figure)}" alt="{html.escape(caption)}"{title_attr}>'


def figure_file(folder: Path, src: str) -> Path | None:
    """The image file an image's ``src`` names inside ``folder``: its SVG twin
    when there is one (``x.svg`` beside ``x.png``), else the file itself; None
    if it does not exist, is not an image of :data:`MEDIA_TYPES`, lies outside
    ``folder``, or ``src`` is a URL (nothing is fetched: the page stays offline)."""
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = (folder / parts.path).resolve()
    if not path.is_relative_to(folder) or path.suffix.lower() not in MEDIA_TYPES:
        return None
    twin = path.with_suffix(".svg")
    if twin.is_file():
        return twin
    return path if path.is_file() else None


def data_uri(path: Path) -> str:
    """The file ``path`` as a base64 ``data:`` URI of its media type."""
    encoded = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"data:{MEDIA_TYPES[path.suffix.lower()]};base64,{encoded}"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m experiments.reports.html_report FOLDER``: (re)build the
    folder's ``report.html`` from its ``report.md``; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m experiments.reports.html_report",
        description="Write report.html, a self-contained page of a job folder's report.md.",
    )
    parser.add_argument("folder", help="a job folder holding report.md")
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, or a usage error argparse has printed
        return int(e.code or 0)
    markdown = Path(args.folder) / MARKDOWN
    if not markdown.is_file():
        print(f"error: {args.folder}: no {MARKDOWN} in this folder", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"html report: {write_html_report(args.folder)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
