"""Charts of the relevance model pages: matplotlib (Agg backend) rendered to SVG bytes.

Pages show them with ``<img src>`` pointing at a chart view, never inline, because the site's
Content-Security-Policy forbids inline styles and scripts; an SVG loaded as an image cannot run
script. Glyphs are drawn as paths (``svg.fonttype = "path"``), so text that people typed (topic
names, terms from proposals) never becomes SVG text or markup, and no font is fetched. The
output is deterministic (fixed hash salt, no date), so equal data gives byte-equal files.

Every function takes plain data (dicts, dataclasses of ``ranking.comparison`` and
``ranking.analysis``) and returns bytes; none reads the database.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import rc_context, ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ranking.analysis import GroupScore
from ranking.comparison import SliceGap

INK = "#1d2430"
MUTED = "#5b6575"
GRID = "#d9dee6"
BLUE = "#1f5fbf"  # the active version / the reference
ORANGE = "#c45a00"  # the candidate / the current proposals
RED = "#b42318"
GREEN = "#1a7f37"
GREY = "#7a8494"
RC: dict[Any, Any] = {
    "svg.hashsalt": "expo-ranking",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "xtick.color": MUTED,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
FULL_WIDTH = 8.6  # inches; at 96 dpi about the width of the page's content column
HALF_WIDTH = 4.6
MAX_LABEL = 52


def _render(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    return out.getvalue()


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else f"{text[: MAX_LABEL - 1]}…"


def _caption(axes: Axes, text: str) -> None:
    axes.set_title(text, loc="left", fontsize=8, color=MUTED, pad=6)


def message_chart(message: str) -> bytes:
    """A small image that says why there is nothing to draw."""
    with rc_context(RC):
        figure = Figure(figsize=(HALF_WIDTH, 0.7))
        figure.text(0.5, 0.5, message, ha="center", va="center", color=MUTED)
        return _render(figure)


def calibration_chart(
    series: Sequence[tuple[str, Sequence[Mapping[str, float]], str]], *, caption: str = ""
) -> bytes:
    """Reliability diagram: mean predicted probability against the observed share accepted,
    one line per (label, calibration table, colour); a marker's area grows with its bin's
    count."""
    drawn = [(label, rows, colour) for label, rows, colour in series if rows]
    if not drawn:
        return message_chart("No scored decisions to draw.")
    with rc_context(RC):
        figure = Figure(figsize=(HALF_WIDTH, 3.6))
        axes = figure.add_subplot()
        axes.plot([0, 1], [0, 1], color=GRID, linewidth=1.2, label="perfectly calibrated")
        largest = max(row["count"] for _, rows, _ in drawn for row in rows)
        for label, rows, colour in drawn:
            x = [row["mean_predicted"] for row in rows]
            y = [row["fraction_positive"] for row in rows]
            sizes = [12 + 140 * row["count"] / largest for row in rows]
            axes.plot(x, y, color=colour, linewidth=1.4, label=label)
            axes.scatter(x, y, s=sizes, color=colour, alpha=0.8, zorder=3)
        axes.set_xlim(0, 1)
        axes.set_ylim(0, 1)
        axes.set_xlabel("mean predicted probability of acceptance")
        axes.set_ylabel("share accepted")
        axes.grid(color=GRID, linewidth=0.5)
        axes.legend(loc="upper left", frameon=False, fontsize=8)
        _caption(axes, caption or "Ten equal-width bins; larger markers hold more proposals.")
        return _render(figure)


def drift_chart(
    edges: Sequence[float], reference: Sequence[float], current: Sequence[float], *, caption: str
) -> bytes:
    """Score histograms (shares per bin) of the training reference and the current proposals."""
    if not edges or (not any(reference) and not any(current)):
        return message_chart("No scores to compare yet.")
    with rc_context(RC):
        figure = Figure(figsize=(HALF_WIDTH, 3.6))
        axes = figure.add_subplot()
        width = (edges[1] - edges[0]) * 0.42
        left = [e + width * 0.1 for e in edges[:-1]]
        axes.bar(
            left, reference, width=width, align="edge", color=BLUE, label="training (out-of-fold)"
        )
        axes.bar(
            [x + width for x in left],
            current,
            width=width,
            align="edge",
            color=ORANGE,
            label="this edition's proposals",
        )
        axes.set_xlim(0, 1)
        axes.yaxis.set_major_formatter(ticker.PercentFormatter(1.0, decimals=0))
        axes.set_xlabel("score")
        axes.set_ylabel("share of scores")
        axes.grid(axis="y", color=GRID, linewidth=0.5)
        axes.set_axisbelow(True)
        axes.legend(loc="upper right", frameon=False, fontsize=8)
        _caption(axes, caption)
        return _render(figure)


def _interval_rows(
    axes: Axes,
    rows: Sequence[tuple[str, float | None, float | None, float | None, str]],
) -> None:
    """Horizontal point-and-interval rows: (label, value, low, high, colour), top to bottom."""
    positions = list(range(len(rows)))[::-1]
    for y, (_, value, low, high, colour) in zip(positions, rows, strict=True):
        if low is not None and high is not None:
            axes.plot([low, high], [y, y], color=colour, linewidth=2.2, solid_capstyle="butt")
        if value is not None:
            axes.plot([value], [y], marker="o", color=colour, markersize=5.5)
    axes.set_yticks(positions, [_label(label) for label, *_ in rows])
    axes.set_ylim(-0.7, len(rows) - 0.3)
    axes.grid(axis="x", color=GRID, linewidth=0.5)
    axes.set_axisbelow(True)


def slice_auc_chart(
    slices: Mapping[str, Mapping[str, Mapping[str, Any]]], *, overall: float | None
) -> bytes:
    """Out-of-fold AUC with its bootstrap interval in every group of every slice."""
    rows: list[tuple[str, float | None, float | None, float | None, str]] = []
    for name, groups in slices.items():
        for group, report in groups.items():
            colour = BLUE if report.get("auc") is not None else GREY
            rows.append(
                (
                    f"{name}: {group} (n = {report.get('n')})",
                    report.get("auc"),
                    report.get("auc_ci_low"),
                    report.get("auc_ci_high"),
                    colour,
                )
            )
    if not rows:
        return message_chart("This version has no per-slice metrics.")
    with rc_context(RC):
        figure = Figure(figsize=(FULL_WIDTH, 0.9 + 0.3 * len(rows)))
        axes = figure.add_subplot()
        _interval_rows(axes, rows)
        axes.axvline(0.5, color=GREY, linestyle=":", linewidth=1)
        if overall is not None:
            axes.axvline(overall, color=INK, linestyle="--", linewidth=1)
        axes.set_xlim(0, 1)
        axes.set_xlabel("ROC AUC with 95% bootstrap interval (0.5 = chance; dashed: all proposals)")
        _caption(axes, "Groups with one class only have no AUC and show no point.")
        return _render(figure)


def comparison_slices_chart(gaps: Sequence[SliceGap]) -> bytes:
    """The candidate's AUC gain over the active version in each group, with the paired interval
    where the group has at least 5 proposals of each class."""
    rows: list[tuple[str, float | None, float | None, float | None, str]] = []
    for gap in gaps:
        colour = {"better": GREEN, "worse": RED}.get(gap.verdict or "", BLUE)
        if gap.verdict is None:
            colour = GREY
        rows.append(
            (
                f"{gap.slice}: {gap.group} (n = {gap.n})",
                gap.difference,
                gap.ci_low,
                gap.ci_high,
                colour,
            )
        )
    if not rows:
        return message_chart("No decided proposals scored by both versions yet.")
    with rc_context(RC):
        figure = Figure(figsize=(FULL_WIDTH, 0.9 + 0.3 * len(rows)))
        axes = figure.add_subplot()
        _interval_rows(axes, rows)
        axes.axvline(0, color=INK, linewidth=1)
        spread = max(
            [abs(v) for _, value, low, high, _ in rows for v in (value, low, high) if v is not None]
            + [0.05]
        )
        axes.set_xlim(-spread * 1.1, spread * 1.1)
        axes.set_xlabel("AUC of the candidate − AUC of the active version (paired 95% interval)")
        _caption(axes, "Grey: fewer than 5 proposals of a class in the group, no interval.")
        return _render(figure)


def group_gap_chart(groups: Sequence[GroupScore]) -> bytes:
    """Each group's mean score minus that of proposals with the same decision."""
    if not groups:
        return message_chart("No group has 5 or more training proposals.")
    with rc_context(RC):
        figure = Figure(figsize=(FULL_WIDTH, 0.9 + 0.28 * len(groups)))
        axes = figure.add_subplot()
        positions = list(range(len(groups)))[::-1]
        colours = [RED if g.flagged else BLUE for g in groups]
        axes.barh(positions, [g.gap for g in groups], color=colours, height=0.6)
        axes.set_yticks(
            positions, [_label(f"{g.attribute}: {g.group} (n = {g.n})") for g in groups]
        )
        axes.axvline(0, color=INK, linewidth=1)
        spread = max([abs(g.gap) for g in groups] + [0.05])
        axes.set_xlim(-spread * 1.15, spread * 1.15)
        axes.set_ylim(-0.7, len(groups) - 0.3)
        axes.set_xlabel("mean score − mean score of proposals with the same decision")
        axes.grid(axis="x", color=GRID, linewidth=0.5)
        axes.set_axisbelow(True)
        _caption(axes, "Red: a gap of 0.03 or more that is unlikely to be chance (Holm p < 0.05).")
        return _render(figure)


def terms_chart(
    raising: Sequence[Mapping[str, Any]], lowering: Sequence[Mapping[str, Any]]
) -> bytes:
    """The terms with the largest average contribution to the decision value, both ways."""
    rows = [*raising][:12] + [*lowering][:12]
    if not rows:
        return message_chart("This version has no influential terms recorded.")
    rows.sort(key=lambda t: t["contribution"])
    with rc_context(RC):
        figure = Figure(figsize=(HALF_WIDTH, 0.9 + 0.24 * len(rows)))
        axes = figure.add_subplot()
        positions = list(range(len(rows)))
        values = [t["contribution"] for t in rows]
        axes.barh(positions, values, color=[GREEN if v > 0 else RED for v in values], height=0.65)
        axes.set_yticks(positions, [_label(str(t["term"])) for t in rows])
        axes.axvline(0, color=INK, linewidth=1)
        axes.set_ylim(-0.7, len(rows) - 0.3)
        axes.set_xlabel("average contribution to the decision value")
        axes.grid(axis="x", color=GRID, linewidth=0.5)
        axes.set_axisbelow(True)
        _caption(axes, "coefficient × mean TF-IDF over the training proposals")
        return _render(figure)
