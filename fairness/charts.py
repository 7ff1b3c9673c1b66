"""Charts of the fairness dashboard, drawn server-side with matplotlib (Agg) as SVG files.

The page embeds them with ``<img src>``, never inline: the site's Content-Security-Policy forbids
inline styles, and an SVG loaded as an image cannot run scripts. Text is drawn as paths
(``svg.fonttype = "path"``), so label text — topic or track names typed by people — never becomes
markup: it appears only in XML comments, which matplotlib escapes (tested with a hostile name).
Output is deterministic (fixed hash salt, no date), so equal reports give byte-equal files.
Charts only draw rows that the page shows: suppressed cells never reach them.
"""

import io
import math
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import rc_context, ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from fairness.report import GroupView, ReportView, Row

COLOURS = {
    "alert": "#b42318",
    "watch": "#9a6700",
    "ok": "#1f5fbf",
    "too_small": "#7a8494",
    "untestable": "#7a8494",
}
INK = "#1d2430"
MUTED = "#5b6575"
LINE = "#d9dee6"
ACCEPTED = "#1a7f37"
NOT_ACCEPTED = "#7a8494"
STYLE: dict[Any, Any] = {
    "svg.hashsalt": "expo-fairness",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.edgecolor": LINE,
    "axes.labelcolor": INK,
    "xtick.color": MUTED,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
WIDTH = 9.0  # inches at 96 dpi: about 860 px, most of the page's content column
TREND_LINES = 8
LABEL_CHARS = 34


def _svg(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return buffer.getvalue()


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _note(axes: Axes, text: str) -> None:
    """A grey line of explanation above the plot, left-aligned."""
    if text:
        axes.set_title(text, loc="left", fontsize=8, color=MUTED, pad=6)


def _suppressed_note(group: GroupView) -> str:
    count = group.suppressed_count
    if not count:
        return ""
    return f"{count} slice{'s' if count > 1 else ''} with fewer than 5 proposals not shown."


def empty_chart(message: str) -> bytes:
    """A small image that says why there is nothing to draw."""
    with rc_context(STYLE):
        figure = Figure(figsize=(WIDTH, 0.8))
        figure.text(0.5, 0.5, message, ha="center", va="center", color=MUTED)
        return _svg(figure)


def rates_chart(view: ReportView, group: GroupView) -> bytes:
    """Each slice's rate with its Wilson 95% interval; the overall rate as a dashed line."""
    rows = group.visible_rows
    if not rows:
        return empty_chart("Every slice here has fewer than 5 proposals.")
    overall = view.raw.get("overall", {}).get("rate")
    with rc_context(STYLE):
        figure = Figure(figsize=(WIDTH, 0.9 + 0.34 * len(rows)))
        axes = figure.add_subplot()
        positions = list(range(len(rows)))[::-1]
        for y, row in zip(positions, rows, strict=True):
            rate, low, high = row.get("rate"), row.get("ci_low"), row.get("ci_high")
            colour = COLOURS.get(row.level, MUTED)
            axes.plot([low, high], [y, y], color=colour, linewidth=2, solid_capstyle="butt")
            axes.plot([rate], [y], marker="o", color=colour, markersize=6)
        if overall is not None:
            axes.axvline(overall, color=INK, linestyle="--", linewidth=1)
            axes.text(
                overall, len(rows) - 0.4, f" all: {overall:.0%}", color=INK, fontsize=8, va="bottom"
            )
        axes.set_yticks(positions, [f"{_short(r.label)} (n = {r.get('n')})" for r in rows])
        axes.set_ylim(-0.7, len(rows) - 0.1)
        axes.set_xlim(0, 1)
        axes.xaxis.set_major_formatter(ticker.PercentFormatter(1.0))
        axes.set_xlabel(f"share {view.stage.outcome}, with 95% interval")
        axes.grid(axis="x", color=LINE, linewidth=0.6)
        axes.set_axisbelow(True)
        legend = [
            ("alert", "flagged (q ≤ 0.05)"),
            ("watch", "watch (q ≤ 0.20)"),
            ("ok", "no evidence of a gap"),
            ("too_small", "not tested"),
        ]
        for level, text in legend:
            axes.plot([], [], marker="o", linestyle="", color=COLOURS[level], label=text)
        axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=8)
        _note(axes, _suppressed_note(group))
        return _svg(figure)


def trend_chart(view: ReportView, group: GroupView) -> bytes:
    """Each slice's rate in every edition; cells of fewer than 5 proposals are gaps."""
    editions = view.raw.get("editions", [])
    if len(editions) < 2:
        return empty_chart("No earlier edition to compare with.")
    largest = sorted(group.visible_rows, key=lambda r: -(r.get("n") or 0))[:TREND_LINES]
    # Page order, and the same colour for a slice as in the calibration chart.
    rows = [row for row in group.visible_rows if row in largest]
    if not rows:
        return empty_chart("Every slice here has fewer than 5 proposals.")
    names = [e["short"] for e in editions]
    with rc_context(STYLE):
        figure = Figure(figsize=(WIDTH, 3.2))
        axes = figure.add_subplot()
        for row in rows:
            index = group.visible_rows.index(row)
            by_edition = {h["short"]: h["rate"] for h in row.history}
            rates = [by_edition.get(name) for name in names]
            values = [math.nan if r is None else r for r in rates]
            axes.plot(
                range(len(names)),
                values,
                marker="o",
                linewidth=1.6,
                color=matplotlib.colormaps["tab10"](index % 10),
                label=_short(row.label),
            )
        axes.set_xticks(range(len(names)), names)
        axes.set_ylim(0, 1)
        axes.yaxis.set_major_formatter(ticker.PercentFormatter(1.0))
        axes.set_ylabel(f"share {view.stage.outcome}")
        axes.grid(axis="y", color=LINE, linewidth=0.6)
        axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=8)
        notes = []
        if len(group.visible_rows) > TREND_LINES:
            notes.append(f"The {TREND_LINES} largest slices.")
        notes.append("Missing points: editions where the slice had fewer than 5 proposals.")
        _note(axes, " ".join(notes))
        return _svg(figure)


def _box_stats(box: dict[str, float], label: str) -> dict[str, object]:
    return {
        "label": label,
        "whislo": box["p10"],
        "q1": box["q1"],
        "med": box["median"],
        "q3": box["q3"],
        "whishi": box["p90"],
        "fliers": [],
    }


def _score_range(rows: Sequence[Row]) -> tuple[float, float]:
    """The x range of the boxes with a margin, within [0, 1]: topical scores sit near 0.1."""
    ends = [
        value
        for row in rows
        for key in ("box_accepted", "box_not_accepted")
        if (box := row.get(key))
        for value in (box["p10"], box["p90"])
    ]
    if not ends:
        return 0.0, 1.0
    low, high = min(ends), max(ends)
    margin = max(0.02, 0.1 * (high - low))
    return max(0.0, low - margin), min(1.0, high + margin)


def score_chart(view: ReportView, group: GroupView) -> bytes:
    """Score distributions per slice, accepted and not accepted side by side.

    Boxes span the quartiles; whiskers end at the 10th and 90th percentiles, not at the extreme
    scores (which would be single proposals'). A box of fewer than 5 proposals is not drawn.
    """
    rows = group.visible_rows
    if not rows:
        return empty_chart("Every slice here has fewer than 5 scored decisions.")
    with rc_context(STYLE):
        figure = Figure(figsize=(WIDTH, 1.0 + 0.5 * len(rows)))
        axes = figure.add_subplot()
        labels = []
        for index, row in enumerate(rows):
            y = (len(rows) - 1 - index) * 1.0
            labels.append((y, f"{_short(row.label)} (n = {row.get('n')})"))
            for offset, key, colour in (
                (0.18, "box_accepted", ACCEPTED),
                (-0.18, "box_not_accepted", NOT_ACCEPTED),
            ):
                box = row.get(key)
                if not box:
                    continue
                axes.bxp(
                    [_box_stats(box, "")],
                    positions=[y + offset],
                    widths=0.3,
                    orientation="horizontal",
                    showfliers=False,
                    patch_artist=True,
                    boxprops={"facecolor": colour, "edgecolor": colour, "alpha": 0.35},
                    medianprops={"color": colour, "linewidth": 2},
                    whiskerprops={"color": colour},
                    capprops={"color": colour},
                )
        axes.set_yticks([y for y, _ in labels], [text for _, text in labels])
        axes.set_ylim(-0.6, len(rows) - 0.4)
        axes.set_xlim(*_score_range(rows))
        axes.set_xlabel(f"{view.raw.get('score', {}).get('label') or 'relevance score'}")
        axes.grid(axis="x", color=LINE, linewidth=0.6)
        axes.set_axisbelow(True)
        axes.plot([], [], color=ACCEPTED, linewidth=6, alpha=0.5, label="accepted")
        axes.plot([], [], color=NOT_ACCEPTED, linewidth=6, alpha=0.5, label="not accepted")
        axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=8)
        _note(
            axes,
            "Boxes: quartiles; whiskers: 10th to 90th percentile. " + _suppressed_note(group),
        )
        return _svg(figure)


def calibration_chart(view: ReportView, group: GroupView) -> bytes:
    """Mean predicted probability against the observed acceptance rate, per slice."""
    if view.raw.get("score", {}).get("kind") != "learned":
        return empty_chart("Topical scores are not probabilities: there is no calibration to show.")
    rows: Sequence[Row] = group.visible_rows
    if not rows:
        return empty_chart("Every slice here has fewer than 5 scored decisions.")
    with rc_context(STYLE):
        figure = Figure(figsize=(WIDTH, 4.2))
        axes = figure.add_subplot()
        axes.plot([0, 1], [0, 1], color=LINE, linewidth=1, label="perfect calibration")
        for index, row in enumerate(rows):
            colour = matplotlib.colormaps["tab10"](index % 10)
            x, y = row.get("mean_score"), row.get("observed_rate")
            low, high = row.get("ci_low"), row.get("ci_high")
            axes.errorbar(
                [x],
                [y],
                yerr=[[y - low], [high - y]],
                fmt="o",
                color=colour,
                capsize=3,
                label=_short(row.label),
            )
        axes.set_xlim(0, 1)
        axes.set_ylim(0, 1)
        axes.set_xlabel("mean predicted probability of acceptance")
        axes.set_ylabel("observed share accepted (95% interval)")
        axes.grid(color=LINE, linewidth=0.6)
        axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=8)
        _note(axes, _suppressed_note(group))
        return _svg(figure)


CHARTS = {
    "rates": rates_chart,
    "trend": trend_chart,
    "scores": score_chart,
    "calibration": calibration_chart,
}
