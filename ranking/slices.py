"""Sliced acceptance metrics and bias flags (issue 6).

Importable without Django. numpy, scipy and statsmodels do the statistics; pandas is used only at
the edges, to read CSV files and to turn string columns into integer codes (hash-based, fast for a
million rows). Every per-row operation is vectorised: loops run over slices and strata only.

Methods and the choices behind them are written up in docs/fairness.md.
"""

from __future__ import annotations

import csv
import io
import json
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats
from scipy.stats.contingency import odds_ratio as scipy_odds_ratio
from statsmodels.stats.contingency_tables import StratifiedTable, Table2x2
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

MISSING = "(missing)"
MISSING_SCORE = "(missing score)"
ALERT_Q = 0.05
WATCH_Q = 0.20
DEFAULT_MIN_N = 20
# Five score strata: Cochran (1968) showed that five subclasses of a continuous confounder remove
# about 90% of the bias it causes; more bins leave cells too thin for an expo-sized table.
DEFAULT_SCORE_BINS = 5
# Below this many expected counts a chi-square approximation is not trusted (Cochran's rule for
# 2x2 tables; Mantel & Fleiss 1980 for the stratified version).
MIN_EXPECTED = 5.0

Level = Literal["alert", "watch", "ok", "too_small", "untestable"]
Method = Literal["wald", "fisher", "cmh", "exact_conditional", "none"]
Trend = Literal["new", "ongoing"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class SliceInputError(ValueError):
    """Input a user can fix: a missing column, a bad outcome value, an empty file."""


# ---------------------------------------------------------------------------------------------
# The table


@dataclass(frozen=True)
class Categorical:
    """A string column as integer codes; ``labels[codes[i]]`` is row ``i``'s value."""

    codes: IntArray
    labels: tuple[str, ...]


@dataclass(frozen=True)
class SliceTable:
    """A decision table: 0/1 columns, categorical (string) columns and numeric columns."""

    n_rows: int
    binary: Mapping[str, npt.NDArray[np.int8]] = field(default_factory=dict)
    categorical: Mapping[str, Categorical] = field(default_factory=dict)
    numeric: Mapping[str, FloatArray] = field(default_factory=dict)  # NaN where the cell is empty


def _row_list(mask: npt.NDArray[np.bool_]) -> str:
    rows = np.flatnonzero(mask)
    shown = ", ".join(str(int(r) + 1) for r in rows[:5])
    return f"data row {shown}" + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")


def _as_series(values: Any) -> pd.Series:
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    return pd.Series(np.asarray(values, dtype=object) if isinstance(values, list) else values)


def categorical_encode(values: Any) -> Categorical:
    """Codes for a column of values taken literally as strings; None, NaN and "" are MISSING."""
    series = _as_series(values)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    labels = [str(u) for u in uniques]
    # One slot per unique value plus a last one that the NA sentinel -1 indexes.
    remap = np.arange(len(labels) + 1, dtype=np.int64)
    kept = [i for i, label in enumerate(labels) if label != ""]
    remap[kept] = np.arange(len(kept))
    missing_code = len(kept)
    remap[[i for i, label in enumerate(labels) if label == ""]] = missing_code
    remap[-1] = missing_code
    new_codes = remap[codes]
    new_labels = [labels[i] for i in kept]
    if np.any(new_codes == missing_code):
        new_labels.append(MISSING)
    return Categorical(codes=new_codes, labels=tuple(new_labels))


def binary_encode(values: Any, *, name: str) -> npt.NDArray[np.int8]:
    """A 0/1 column from strings "0"/"1", integers or booleans; anything else is an error."""
    series = _as_series(values)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if np.any(codes == -1):
        raise SliceInputError(
            f"column '{name}' has empty cells ({_row_list(codes == -1)}); every row needs 0 or 1"
        )
    value_of: list[int] = []
    for index, unique in enumerate(uniques):
        # Strings must read exactly "0" or "1"; numbers and booleans must equal 0 or 1.
        if isinstance(unique, str):
            number = {"0": 0, "1": 1}.get(unique)
        elif isinstance(unique, bool | int | float | np.bool_ | np.integer | np.floating):
            number = int(unique) if unique in (0, 1) else None
        else:
            number = None
        if number is None:
            raise SliceInputError(
                f"column '{name}' must hold 0 or 1; found {str(unique)!r} "
                f"({_row_list(codes == index)})"
            )
        value_of.append(number)
    return np.asarray(value_of, dtype=np.int8)[codes]


def numeric_encode(values: Any, *, name: str) -> FloatArray:
    """A float column; empty cells become NaN, anything non-numeric or infinite is an error."""
    series = _as_series(values)
    empty = series.isna().to_numpy(dtype=bool)
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        empty = empty | (series == "").to_numpy(dtype=bool, na_value=True)
    parsed = pd.to_numeric(series.where(~empty), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    bad = ~empty & ~np.isfinite(parsed)
    if np.any(bad):
        example = series[int(np.flatnonzero(bad)[0])]
        raise SliceInputError(
            f"column '{name}' must be numeric; found {str(example)!r} ({_row_list(bad)})"
        )
    return parsed


def slice_table_from_columns(
    columns: Mapping[str, Any],
    *,
    binary: Sequence[str] = (),
    categorical: Sequence[str] = (),
    numeric: Sequence[str] = (),
) -> SliceTable:
    """Validate and encode named columns (arrays, lists or pandas Series of equal length)."""
    wanted = [*binary, *categorical, *numeric]
    missing = [name for name in dict.fromkeys(wanted) if name not in columns]
    if missing:
        available = ", ".join(repr(c) for c in columns) or "none"
        raise SliceInputError(
            f"missing column(s): {', '.join(repr(m) for m in missing)}; available: {available}"
        )
    lengths = {name: len(columns[name]) for name in wanted}
    if len(set(lengths.values())) > 1:
        raise SliceInputError(f"columns have different lengths: {lengths}")
    n_rows = next(iter(lengths.values()), 0)
    if n_rows == 0:
        raise SliceInputError("the table has no rows")
    return SliceTable(
        n_rows=n_rows,
        binary={name: binary_encode(columns[name], name=name) for name in binary},
        categorical={name: categorical_encode(columns[name]) for name in categorical},
        numeric={name: numeric_encode(columns[name], name=name) for name in numeric},
    )


def _categorical_from_pandas(series: pd.Series) -> Categorical:
    """Codes of a pandas categorical column whose categories are strings; NaN becomes MISSING."""
    labels = [str(c) for c in series.cat.categories]
    codes = series.cat.codes.to_numpy().astype(np.int64)
    missing = codes == -1
    if missing.any():
        codes[missing] = len(labels)
        labels.append(MISSING)
    return Categorical(codes=codes, labels=tuple(labels))


def slice_table_read_csv(
    path: str | PathLike[str],
    *,
    binary: Sequence[str] = (),
    categorical: Sequence[str] = (),
    numeric: Sequence[str] = (),
) -> SliceTable:
    """Read the named columns of a UTF-8 CSV file; cells are literal strings, only "" is empty.

    Fast path: pandas' C parser builds categorical columns and parses floats while reading. It
    infers numbers for categories that all look numeric ("007" would become 7), so such columns,
    and any numeric column the fast path cannot parse or reads as infinite, are read again as
    literal strings, which also yields the precise error message.
    """
    wanted = list(dict.fromkeys([*binary, *categorical, *numeric]))
    # "NA", "None", "null" stay strings: only an empty cell is missing.
    options: dict[str, Any] = {
        "encoding": "utf-8-sig",
        "keep_default_na": False,
        "na_values": [""],
    }
    try:
        header = pd.read_csv(path, nrows=0, dtype=str, **options)
    except FileNotFoundError as error:
        raise SliceInputError(f"{path}: no such file") from error
    except IsADirectoryError as error:
        raise SliceInputError(f"{path}: is a directory, not a CSV file") from error
    except pd.errors.EmptyDataError as error:
        raise SliceInputError(f"{path}: the file is empty") from error
    except UnicodeDecodeError as error:
        raise SliceInputError(f"{path}: not UTF-8 text ({error.reason})") from error
    missing = [name for name in wanted if name not in header.columns]
    if missing:
        raise SliceInputError(
            f"{path}: missing column(s): {', '.join(repr(m) for m in missing)}; "
            f"the header has: {', '.join(repr(str(c)) for c in header.columns)}"
        )
    kinds: dict[str, Any] = dict.fromkeys(numeric, "float64")
    kinds |= dict.fromkeys(categorical, "category")
    kinds |= dict.fromkeys(binary, str)  # outcomes are checked as the literal "0" / "1"
    for name in wanted:
        if sum(name in group for group in (binary, categorical, numeric)) > 1:
            kinds[name] = str
    literal = [name for name, kind in kinds.items() if kind is str]
    try:
        try:
            frame = pd.read_csv(path, usecols=wanted, dtype=kinds, **options)
        except ValueError:
            # A numeric column holds text: read every column literally; encoding reports it.
            frame = pd.read_csv(path, usecols=wanted, dtype=str, **options)
            literal = wanted
        inferred = [
            name
            for name in categorical
            if name not in literal
            and not pd.api.types.is_string_dtype(frame[name].cat.categories.dtype)
        ]
        # The C parser reads "inf" as a number; read such columns literally to reject them.
        inferred += [
            name
            for name in numeric
            if name not in literal and np.isinf(frame[name].to_numpy(dtype=np.float64)).any()
        ]
        if inferred:
            again = pd.read_csv(path, usecols=inferred, dtype=str, **options)
            for name in inferred:
                frame[name] = again[name]
            literal = [*literal, *inferred]
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        raise SliceInputError(f"{path}: not a readable CSV file: {error}") from error
    if len(frame) == 0:
        raise SliceInputError(f"{path}: the file has a header but no rows")
    table = (
        slice_table_from_columns(
            {name: frame[name] for name in literal},
            binary=[name for name in binary if name in literal],
            categorical=[name for name in categorical if name in literal],
            numeric=[name for name in numeric if name in literal],
        )
        if literal
        else SliceTable(n_rows=len(frame))
    )
    return SliceTable(
        n_rows=len(frame),
        binary={name: table.binary[name] for name in binary},
        categorical={
            name: table.categorical[name]
            if name in literal
            else _categorical_from_pandas(frame[name])
            for name in categorical
        },
        numeric={
            name: table.numeric[name]
            if name in literal
            else frame[name].to_numpy(dtype=np.float64, na_value=np.nan)
            for name in numeric
        },
    )


# ---------------------------------------------------------------------------------------------
# One comparison: a slice against the rest, in one or more strata


@dataclass(frozen=True)
class Comparison:
    """Odds ratio of the slice against the rest with its interval and a p-value for OR = 1."""

    odds_ratio: float | None
    or_ci_low: float | None
    or_ci_high: float | None
    p_value: float | None
    method: Method
    strata_used: int
    homogeneity_p: float | None = None
    log_odds_ratio: float | None = None
    log_odds_ratio_se: float | None = None
    excess: float = 0.0  # observed minus expected positives in the slice, summed over strata


def _finite(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def informative_strata(tables: IntArray) -> IntArray:
    """The strata of a (K, 2, 2) array whose four margins are all positive.

    A stratum where the slice or the rest is empty, or where every proposal shares the outcome,
    says nothing about the association: it adds zero to the Mantel-Haenszel sums and to the CMH
    statistic, and makes the Breslow-Day statistic undefined (0/0).
    """
    rows = tables.sum(axis=2)
    cols = tables.sum(axis=1)
    keep = (rows > 0).all(axis=1) & (cols > 0).all(axis=1)
    return tables[keep]


def exact_conditional_pvalue(tables: IntArray) -> float:
    """Two-sided exact test of a common odds ratio 1 given every stratum's margins.

    The sum of the slice's positives over strata is, under the null, a sum of independent
    hypergeometric variables (Agresti 2013, exact conditional inference; R's
    ``mantelhaen.test(exact=TRUE)``); its distribution is their convolution. Two-sided p: the
    total probability of outcomes no more likely than the observed one, with R's relative
    tolerance 1e-7. With one stratum this is Fisher's test.
    """
    distribution = np.ones(1)
    lowest = 0
    for (a, b), (c, d) in tables:
        slice_n, positives, total = a + b, a + c, a + b + c + d
        low, high = max(0, positives - (c + d)), min(slice_n, positives)
        support = np.arange(low, high + 1)
        distribution = np.convolve(
            distribution, stats.hypergeom.pmf(support, total, positives, slice_n)
        )
        lowest += low
    observed = int(tables[:, 0, 0].sum()) - lowest
    p = distribution[distribution <= distribution[observed] * (1 + 1e-7)].sum()
    return float(min(1.0, p))


def _mantel_fleiss_ok(tables: IntArray) -> bool:
    """Mantel & Fleiss (1980) criterion for the chi-square approximation of the CMH test."""
    a, b, c, d = tables[:, 0, 0], tables[:, 0, 1], tables[:, 1, 0], tables[:, 1, 1]
    slice_n, positives, total = a + b, a + c, a + b + c + d
    expected = float(np.sum(slice_n * positives / total))
    low = float(np.sum(np.maximum(0, positives - (c + d))))
    high = float(np.sum(np.minimum(slice_n, positives)))
    return min(expected - low, high - expected) >= MIN_EXPECTED


def _excess(tables: IntArray) -> float:
    a, b, c = tables[:, 0, 0], tables[:, 0, 1], tables[:, 1, 0]
    total = tables.sum(axis=(1, 2))
    return float(np.sum(a - (a + b) * (a + c) / total))


def slice_compare(tables: IntArray) -> Comparison:
    """Compare a slice with the rest from a (K, 2, 2) array of [[a, b], [c, d]] tables.

    Row 0 is the slice, row 1 the rest; column 0 counts positives, column 1 negatives. One table
    (K = 1): Fisher's exact test with the conditional-MLE odds ratio and its exact interval when a
    cell is 0 or an expected count is under 5, else the Wald test of the log odds ratio with the
    Woolf interval (so p < 0.05 exactly when the interval excludes 1). Several strata: the
    Mantel-Haenszel odds ratio with the Robins-Breslow-Greenland interval, the CMH test with
    continuity correction (R's ``mantelhaen.test`` default), or the exact conditional test when the
    Mantel-Fleiss criterion fails, and the Breslow-Day test (Tarone-adjusted) for homogeneity.
    """
    tables = np.asarray(tables, dtype=np.int64)
    stratified = tables.shape[0] > 1
    used = informative_strata(tables)
    if used.shape[0] == 0:
        return Comparison(None, None, None, None, "none", 0)
    excess = _excess(used)
    if not stratified:
        table = used[0]
        row, col = table.sum(axis=1), table.sum(axis=0)
        expected = np.outer(row, col) / table.sum()
        if (table == 0).any() or expected.min() < MIN_EXPECTED:
            result = scipy_odds_ratio(table, kind="conditional")
            interval = result.confidence_interval(confidence_level=0.95)
            return Comparison(
                odds_ratio=_finite(result.statistic),
                or_ci_low=_finite(interval.low),
                or_ci_high=_finite(interval.high),
                p_value=float(stats.fisher_exact(table).pvalue),
                method="fisher",
                strata_used=1,
                excess=excess,
            )
        two_by_two = Table2x2(table)
        low, high = two_by_two.oddsratio_confint(alpha=0.05)
        return Comparison(
            odds_ratio=float(two_by_two.oddsratio),
            or_ci_low=float(low),
            or_ci_high=float(high),
            p_value=float(two_by_two.log_oddsratio_pvalue()),
            method="wald",
            strata_used=1,
            log_odds_ratio=float(two_by_two.log_oddsratio),
            log_odds_ratio_se=float(two_by_two.log_oddsratio_se),
            excess=excess,
        )

    stratified_table = StratifiedTable(np.transpose(used, (1, 2, 0)).astype(np.float64))
    a, b, c, d = used[:, 0, 0], used[:, 0, 1], used[:, 1, 0], used[:, 1, 1]
    total = used.sum(axis=(1, 2))
    concordant, discordant = np.sum(a * d / total), np.sum(b * c / total)
    if _mantel_fleiss_ok(used):
        p_value = float(stratified_table.test_null_odds(correction=True).pvalue)
        method: Method = "cmh"
    else:
        p_value = exact_conditional_pvalue(used)
        method = "exact_conditional"
    estimate: float | None
    low_ci: float | None
    high_ci: float | None
    log_or: float | None
    log_se: float | None
    if concordant > 0 and discordant > 0:
        estimate = float(stratified_table.oddsratio_pooled)
        ci = stratified_table.oddsratio_pooled_confint(alpha=0.05)
        low_ci, high_ci = _finite(ci[0]), _finite(ci[1])
        log_or = float(stratified_table.logodds_pooled)
        log_se = _finite(stratified_table.logodds_pooled_se)
    else:
        # MH estimate 0 (no concordant pairs) or infinite (no discordant ones): no interval.
        estimate = 0.0 if concordant == 0 else None
        low_ci = high_ci = log_or = log_se = None
    homogeneity = None
    if used.shape[0] >= 2:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            homogeneity = _finite(stratified_table.test_equal_odds(adjust=True).pvalue)
    return Comparison(
        odds_ratio=estimate,
        or_ci_low=low_ci,
        or_ci_high=high_ci,
        p_value=p_value,
        method=method,
        strata_used=int(used.shape[0]),
        homogeneity_p=homogeneity,
        log_odds_ratio=log_or,
        log_odds_ratio_se=log_se,
        excess=excess,
    )


def odds_ratio_change_pvalue(current: Comparison, previous: Comparison) -> float | None:
    """Two-sided Wald test that two independent (log) odds ratios are equal (Woolf 1955).

    Uses each comparison's log odds ratio and its standard error (Woolf for one table,
    Robins-Breslow-Greenland for Mantel-Haenszel); None when either is undefined.
    """
    values = (
        current.log_odds_ratio,
        current.log_odds_ratio_se,
        previous.log_odds_ratio,
        previous.log_odds_ratio_se,
    )
    if any(v is None or not math.isfinite(v) for v in values):
        return None
    log_now, se_now, log_before, se_before = (float(v or 0.0) for v in values)
    z = (log_now - log_before) / math.hypot(se_now, se_before)
    return float(2 * stats.norm.sf(abs(z)))


def wilson_interval(positives: IntArray, n: IntArray) -> tuple[FloatArray, FloatArray]:
    """Wilson score 95% intervals for rates positives / n (Wilson 1927; Newcombe 1998)."""
    low, high = proportion_confint(positives, n, alpha=0.05, method="wilson")
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)


def q_values(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (q-values) of a family of tests."""
    if not p_values:
        return []
    return [float(q) for q in multipletests(list(p_values), method="fdr_bh")[1]]


def level_for(q_value: float) -> Level:
    """ "alert" at q <= 0.05, "watch" at q <= 0.20, else "ok"."""
    if q_value <= ALERT_Q:
        return "alert"
    if q_value <= WATCH_Q:
        return "watch"
    return "ok"


# ---------------------------------------------------------------------------------------------
# The report


@dataclass(frozen=True)
class Overall:
    n: int
    positives: int
    rate: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class EditionRate:
    """One slice in one edition of the conference, with the rest of that edition for context."""

    edition: str
    n: int
    positives: int
    rate: float | None
    rest_rate: float | None
    odds_ratio: float | None


@dataclass(frozen=True)
class SliceResult:
    attribute: str
    value: str
    n: int
    positives: int
    rate: float
    ci_low: float
    ci_high: float
    rest_n: int
    rest_positives: int
    rest_rate: float | None
    odds_ratio: float | None
    or_ci_low: float | None
    or_ci_high: float | None
    p_value: float | None
    q_value: float | None
    level: Level
    flagged: bool
    method: Method
    strata_used: int
    homogeneity_p: float | None
    direction: Literal["lower", "higher", "equal"]
    history: tuple[EditionRate, ...] = ()
    previous_odds_ratio: float | None = None
    change_p: float | None = None
    change_q: float | None = None
    trend: Trend | None = None

    def explanation(self, *, adjusted_for: str = "", min_n: int = DEFAULT_MIN_N) -> str:
        """One plain-language sentence: the rates, the adjustment and the verdict."""
        rest = "n/a" if self.rest_rate is None else f"{self.rest_rate:.0%}"
        text = f"{self.attribute} = {self.value}: {self.rate:.0%} accepted (n = {self.n})"
        text += f" vs {rest} for the rest"
        if adjusted_for:
            text += f", compared at equal {adjusted_for}"
        if self.odds_ratio is not None:
            text += f"; odds ratio {self.odds_ratio:.2f}"
            if self.or_ci_low is not None and self.or_ci_high is not None:
                text += f" ({self.or_ci_low:.2f}-{self.or_ci_high:.2f})"
        if self.q_value is not None:
            text += f"; q = {self.q_value:.2g}"
        verdict = {
            "alert": "flagged",
            "watch": "worth watching",
            "ok": "no evidence of a gap",
            "too_small": f"too few proposals to judge (slice or rest under {min_n})",
            "untestable": "no stratum holds both the slice and the rest with both outcomes",
        }[self.level]
        text += f" — {verdict}"
        if self.trend == "new":
            text += "; the gap is new this edition"
        elif self.trend == "ongoing":
            text += "; earlier editions showed a similar gap"
        return text + "."


@dataclass(frozen=True)
class ReportSettings:
    outcome: str
    slices: tuple[str, ...]
    strata: tuple[str, ...]
    score: str | None
    score_bins: int
    edition: str | None
    current: str | None
    min_n: int
    alert_q: float = ALERT_Q
    watch_q: float = WATCH_Q


CSV_COLUMNS = (
    "attribute",
    "value",
    "n",
    "positives",
    "rate",
    "ci_low",
    "ci_high",
    "odds_ratio",
    "or_ci_low",
    "or_ci_high",
    "p_value",
    "q_value",
    "level",
    "flagged",
    "method",
    "strata_used",
    "homogeneity_p",
    "rest_n",
    "rest_positives",
    "rest_rate",
    "direction",
    "previous_odds_ratio",
    "change_p",
    "change_q",
    "trend",
)


@dataclass(frozen=True)
class SliceReport:
    overall: Overall
    slices: tuple[SliceResult, ...]
    settings: ReportSettings

    def as_dict(self) -> dict[str, Any]:
        """The JSON contract of ``slice_report`` as plain Python values (no NaN or infinity)."""
        slices = []
        for result in self.slices:
            entry = {name: getattr(result, name) for name in CSV_COLUMNS}
            entry["history"] = [vars(h).copy() for h in result.history]
            slices.append(entry)
        return {
            "overall": {
                "n": self.overall.n,
                "positives": self.overall.positives,
                "rate": self.overall.rate,
                "ci_low": self.overall.ci_low,
                "ci_high": self.overall.ci_high,
            },
            "slices": slices,
            "settings": {
                "outcome": self.settings.outcome,
                "slices": list(self.settings.slices),
                "strata": list(self.settings.strata),
                "score": self.settings.score,
                "score_bins": self.settings.score_bins if self.settings.score else None,
                "edition": self.settings.edition,
                "current": self.settings.current,
                "min_n": self.settings.min_n,
                "alert_q": self.settings.alert_q,
                "watch_q": self.settings.watch_q,
            },
        }

    def to_json(self) -> str:
        """The report as one JSON object; raises if a non-finite number slipped through."""
        return json.dumps(self.as_dict(), allow_nan=False, ensure_ascii=False, indent=2)

    def to_csv(self, *, escape: Callable[[Any], Any] | None = None) -> str:
        """One row per slice, the columns of ``CSV_COLUMNS``; empty cells for undefined values.

        ``escape`` is applied to every cell, e.g. ``expo.security.csv.csv_cell_escape`` so that
        a slice value such as ``=HYPERLINK(…)`` read from the input is not run by a spreadsheet
        (passed in, so that this module keeps working without Django).
        """
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for result in self.slices:
            cells = (_csv_cell(getattr(result, name)) for name in CSV_COLUMNS)
            writer.writerow([escape(cell) for cell in cells] if escape else list(cells))
        return buffer.getvalue()

    def adjusted_for(self) -> str:
        """What the comparisons hold equal, in words ("format and score")."""
        parts = list(self.settings.strata)
        if self.settings.score:
            parts.append(self.settings.score)
        return " and ".join(parts)

    def to_text(self) -> str:
        """A report for people: the overall rate and one line per slice, flags first."""
        overall = self.overall
        lines = [
            f"Overall: {overall.positives} of {overall.n} accepted ({overall.rate:.1%}, "
            f"95% CI {overall.ci_low:.1%}-{overall.ci_high:.1%})",
        ]
        if self.settings.edition:
            ordered = [h.edition for h in self.slices[0].history] if self.slices else []
            current = self.settings.current
            earlier = ordered[: ordered.index(current)] if current in ordered else []
            lines.append(
                f"Edition {self.settings.current} (column '{self.settings.edition}')"
                + (f", compared with {', '.join(earlier)}." if earlier else "; no earlier edition.")
            )
        adjusted = self.adjusted_for()
        lines.append(
            "Each slice is compared with the rest"
            + (f" at equal {adjusted}" if adjusted else "")
            + "; q-values are Benjamini-Hochberg over the report's tests."
        )
        order = {"alert": 0, "watch": 1, "ok": 2, "untestable": 3, "too_small": 4}
        for result in sorted(self.slices, key=lambda r: order[r.level]):
            explanation = result.explanation(adjusted_for=adjusted, min_n=self.settings.min_n)
            lines.append(f"[{result.level}] {explanation}")
        return "\n".join(lines) + "\n"


def _csv_cell(value: object) -> object:
    """None as an empty cell, booleans as JSON's true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _label_order(labels: Sequence[str]) -> list[int]:
    """Indices of labels sorted by text, MISSING last."""
    return sorted(range(len(labels)), key=lambda i: (labels[i] == MISSING, labels[i]))


def _edition_order(labels: Sequence[str]) -> list[str]:
    """Editions in time order: numerically when every label is a number, else as text."""
    try:
        return sorted(labels, key=float)
    except ValueError:
        return sorted(labels)


def _compact(codes: IntArray, size: int) -> tuple[IntArray, int]:
    """Renumber codes in 0..size-1 to 0..k-1 over the values that occur."""
    present = np.bincount(codes, minlength=size) > 0
    renumber = np.cumsum(present) - 1
    return renumber[codes], int(present.sum())


def score_strata(score: FloatArray, *, bins: int, groups: IntArray | None = None) -> IntArray:
    """Score quantile bins 0..bins-1 (missing scores get bin ``bins``), computed within groups."""
    result = np.full(score.shape[0], bins, dtype=np.int64)
    group_codes = np.zeros(score.shape[0], dtype=np.int64) if groups is None else groups
    for group in np.unique(group_codes):
        in_group = group_codes == group
        known = in_group & ~np.isnan(score)
        if not known.any():
            continue
        edges = np.quantile(score[known], np.linspace(0, 1, bins + 1)[1:-1])
        result[known] = np.searchsorted(edges, score[known], side="right")
    return result


def _strata_codes(
    arrays: Sequence[IntArray], sizes: Sequence[int], n_rows: int
) -> tuple[IntArray, int]:
    """One stratum code per row for the cross-classification of several coded columns."""
    codes = np.zeros(n_rows, dtype=np.int64)
    count = 1
    for array, size in zip(arrays, sizes, strict=True):
        codes = codes * size + array
        count *= size
        codes, count = _compact(codes, count)
    return codes, count


def _count_tables(
    y: npt.NDArray[np.int8], values: IntArray, n_values: int, strata: IntArray, n_strata: int
) -> tuple[IntArray, IntArray]:
    """Per (value, stratum): rows and positives, each an (n_values, n_strata) array."""
    cell = values * n_strata + strata
    size = n_values * n_strata
    n = np.bincount(cell, minlength=size).reshape(n_values, n_strata)
    positives = np.bincount(cell, weights=y, minlength=size).astype(np.int64)
    return n, positives.reshape(n_values, n_strata)


def _tables_for(n: IntArray, positives: IntArray, value: int) -> IntArray:
    """The (K, 2, 2) slice-vs-rest tables of one value from per-(value, stratum) counts."""
    stratum_n, stratum_pos = n.sum(axis=0), positives.sum(axis=0)
    a = positives[value]
    b = n[value] - a
    c = stratum_pos - a
    d = (stratum_n - n[value]) - c
    return np.stack([np.stack([a, b], axis=1), np.stack([c, d], axis=1)], axis=1)


@dataclass
class _Draft:
    """A slice's figures before the report-wide q-values are known."""

    attribute: str
    value: str
    n: int
    positives: int
    ci_low: float
    ci_high: float
    rest_n: int
    rest_positives: int
    comparison: Comparison
    testable: bool
    level: Level
    history: tuple[EditionRate, ...] = ()
    previous: Comparison | None = None
    change_p: float | None = None
    twin: int | None = None  # index of the identical test of a two-valued attribute


@dataclass(frozen=True)
class _Editions:
    """Which rows belong to the current edition and which to the earlier ones."""

    codes: IntArray
    labels: tuple[str, ...]
    ordered: tuple[str, ...]
    current: str
    current_rows: npt.NDArray[np.bool_]
    previous_rows: npt.NDArray[np.bool_]


def _editions(column: Categorical, *, name: str, current: str | None) -> _Editions:
    ordered = _edition_order([label for label in column.labels if label != MISSING])
    if not ordered:
        raise SliceInputError(f"column '{name}' names no edition")
    chosen = current if current is not None else ordered[-1]
    if chosen not in ordered:
        raise SliceInputError(
            f"edition {chosen!r} does not occur in column '{name}'; editions: {', '.join(ordered)}"
        )
    # Rank of each code in time order; rows without an edition (MISSING) get -1 and are ignored.
    code_rank = np.array(
        [ordered.index(label) if label in ordered else -1 for label in column.labels],
        dtype=np.int64,
    )
    row_rank = code_rank[column.codes]
    current_rank = ordered.index(chosen)
    return _Editions(
        codes=column.codes,
        labels=column.labels,
        ordered=tuple(ordered),
        current=chosen,
        current_rows=row_rank == current_rank,
        previous_rows=(row_rank >= 0) & (row_rank < current_rank),
    )


def _history(
    counts: tuple[IntArray, IntArray], value: int, editions: _Editions
) -> tuple[EditionRate, ...]:
    """The slice's rate, the rest's rate and the crude odds ratio in each edition."""
    n, positives = counts
    rates = []
    for label in editions.ordered:
        k = editions.labels.index(label)
        n_slice, pos_slice = int(n[value, k]), int(positives[value, k])
        rest_n = int(n[:, k].sum()) - n_slice
        rest_pos = int(positives[:, k].sum()) - pos_slice
        table = np.array([[[pos_slice, n_slice - pos_slice], [rest_pos, rest_n - rest_pos]]])
        rates.append(
            EditionRate(
                edition=label,
                n=n_slice,
                positives=pos_slice,
                rate=pos_slice / n_slice if n_slice else None,
                rest_rate=rest_pos / rest_n if rest_n else None,
                odds_ratio=slice_compare(table).odds_ratio,
            )
        )
    return tuple(rates)


def _gap_widened(current: Comparison, previous: Comparison | None) -> bool:
    """Whether this edition's log odds ratio lies farther from 0 than the earlier editions'."""
    if previous is None or current.log_odds_ratio is None or previous.log_odds_ratio is None:
        return False
    return abs(current.log_odds_ratio) > abs(previous.log_odds_ratio)


def _resolve_table(
    data: SliceTable | Mapping[str, Any],
    *,
    outcome: str,
    categorical: Sequence[str],
    score: str | None,
) -> SliceTable:
    if not isinstance(data, SliceTable):
        return slice_table_from_columns(
            data, binary=[outcome], categorical=categorical, numeric=[score] if score else []
        )
    absent = [outcome] if outcome not in data.binary else []
    absent += [name for name in categorical if name not in data.categorical]
    if score and score not in data.numeric:
        absent.append(score)
    if absent:
        raise SliceInputError(f"missing column(s): {', '.join(repr(a) for a in absent)}")
    return data


def slice_report(
    data: SliceTable | Mapping[str, Any],
    *,
    outcome: str,
    slices: Sequence[str],
    strata: Sequence[str] = (),
    score: str | None = None,
    edition: str | None = None,
    current: str | None = None,
    min_n: int = DEFAULT_MIN_N,
    score_bins: int = DEFAULT_SCORE_BINS,
) -> SliceReport:
    """Rates, intervals, slice-vs-rest tests, q-values and levels for every slice value.

    ``strata`` and ``score`` make every comparison stratified ("at equal format and score");
    ``edition`` restricts the report to the ``current`` edition (default: the latest) and adds each
    slice's history and a test of whether its gap changed against the earlier editions.
    """
    if not slices:
        raise SliceInputError("name at least one slice column")
    if min_n < 1:
        raise SliceInputError("the minimum slice size must be at least 1")
    if score_bins < 1:
        raise SliceInputError("the number of score bins must be at least 1")
    if outcome in {*slices, *strata, score, edition}:
        raise SliceInputError(f"the outcome column '{outcome}' cannot also be a slice or stratum")
    if edition and edition in {*slices, *strata}:
        raise SliceInputError(f"the edition column '{edition}' cannot also be a slice or stratum")
    categorical = list(dict.fromkeys([*slices, *strata, *([edition] if edition else [])]))
    table = _resolve_table(data, outcome=outcome, categorical=categorical, score=score)
    y = table.binary[outcome]
    editions = (
        _editions(table.categorical[edition], name=edition, current=current) if edition else None
    )

    # Strata: the cross-classification of the stratum columns, the score bins and the edition
    # (which only matters when earlier editions are pooled). Score bins are computed within each
    # edition, because a relevance model's scale can drift between years.
    arrays = [table.categorical[name].codes for name in strata]
    sizes = [len(table.categorical[name].labels) for name in strata]
    if score:
        groups = editions.codes if editions else None
        arrays.append(score_strata(table.numeric[score], bins=score_bins, groups=groups))
        sizes.append(score_bins + 1)
    if editions:
        arrays.append(editions.codes)
        sizes.append(len(editions.labels))
    stratum_codes, n_strata = _strata_codes(arrays, sizes, table.n_rows)
    adjusted = bool(strata) or score is not None

    now = editions.current_rows if editions else np.ones(table.n_rows, dtype=bool)
    y_now = y[now]
    n_total = int(y_now.shape[0])
    if n_total == 0:
        raise SliceInputError("no rows in the current edition")
    positives_total = int(y_now.sum())
    overall_low, overall_high = wilson_interval(np.array([positives_total]), np.array([n_total]))
    overall = Overall(
        n=n_total,
        positives=positives_total,
        rate=positives_total / n_total,
        ci_low=float(overall_low[0]),
        ci_high=float(overall_high[0]),
    )
    # Without strata the comparison is one 2x2 table per slice (K = 1).
    strata_now = stratum_codes[now] if adjusted else np.zeros(n_total, dtype=np.int64)
    k_now = n_strata if adjusted else 1

    drafts: list[_Draft] = []
    for attribute in slices:
        column = table.categorical[attribute]
        n_values = len(column.labels)
        n_vk, pos_vk = _count_tables(y_now, column.codes[now], n_values, strata_now, k_now)
        slice_n, slice_pos = n_vk.sum(axis=1), pos_vk.sum(axis=1)
        low, high = wilson_interval(slice_pos, np.maximum(slice_n, 1))
        earlier = history = None
        if editions:
            before = editions.previous_rows
            earlier = _count_tables(
                y[before], column.codes[before], n_values, stratum_codes[before], n_strata
            )
            history = _count_tables(y, column.codes, n_values, editions.codes, len(editions.labels))
        present = [v for v in _label_order(column.labels) if slice_n[v] > 0]
        testable: list[int] = []
        for value in present:
            n_value, pos_value = int(slice_n[value]), int(slice_pos[value])
            rest_n = n_total - n_value
            comparison = slice_compare(_tables_for(n_vk, pos_vk, value))
            level: Level
            if min(n_value, rest_n) < min_n:
                level = "too_small"
            elif comparison.p_value is None:
                level = "untestable"
            else:
                level = "ok"  # refined once the q-values are known
                testable.append(len(drafts))
            draft = _Draft(
                attribute=attribute,
                value=column.labels[value],
                n=n_value,
                positives=pos_value,
                ci_low=float(low[value]),
                ci_high=float(high[value]),
                rest_n=rest_n,
                rest_positives=positives_total - pos_value,
                comparison=comparison,
                testable=level == "ok",
                level=level,
            )
            if editions and earlier is not None and history is not None:
                draft.history = _history(history, value, editions)
                if editions.previous_rows.any():
                    draft.previous = slice_compare(_tables_for(*earlier, value))
                    draft.change_p = odds_ratio_change_pvalue(comparison, draft.previous)
            drafts.append(draft)
        # A two-valued attribute gives one test twice (one value's slice is the other's rest):
        # it counts once in the Benjamini-Hochberg family.
        if len(present) == 2 and len(testable) == 2:
            drafts[testable[1]].twin = testable[0]

    # Only testable slices enter a family (a p-value of exactly 0.0 is a valid, tiny p-value).
    p_of = {
        i: d.comparison.p_value
        for i, d in enumerate(drafts)
        if d.testable and d.twin is None and d.comparison.p_value is not None
    }
    q_of = dict(zip(p_of, q_values(list(p_of.values())), strict=True))
    change_p_of = {i: drafts[i].change_p for i in p_of if drafts[i].change_p is not None}
    change_q_of = dict(
        zip(change_p_of, q_values([p for p in change_p_of.values() if p is not None]), strict=True)
    )

    results = []
    for index, draft in enumerate(drafts):
        source = draft.twin if draft.twin is not None else index
        q = q_of.get(source)
        change_q = change_q_of.get(source)
        level = level_for(q) if q is not None else draft.level
        trend: Trend | None = None
        if level in ("alert", "watch") and change_q is not None:
            widened = _gap_widened(draft.comparison, draft.previous)
            trend = "new" if change_q <= ALERT_Q and widened else "ongoing"
        comparison = draft.comparison
        excess = comparison.excess
        results.append(
            SliceResult(
                attribute=draft.attribute,
                value=draft.value,
                n=draft.n,
                positives=draft.positives,
                rate=draft.positives / draft.n,
                ci_low=draft.ci_low,
                ci_high=draft.ci_high,
                rest_n=draft.rest_n,
                rest_positives=draft.rest_positives,
                rest_rate=draft.rest_positives / draft.rest_n if draft.rest_n else None,
                odds_ratio=comparison.odds_ratio,
                or_ci_low=comparison.or_ci_low,
                or_ci_high=comparison.or_ci_high,
                p_value=comparison.p_value,
                q_value=q,
                level=level,
                flagged=level == "alert",
                method=comparison.method,
                strata_used=comparison.strata_used,
                homogeneity_p=comparison.homogeneity_p,
                direction="lower" if excess < 0 else "higher" if excess > 0 else "equal",
                history=draft.history,
                previous_odds_ratio=draft.previous.odds_ratio if draft.previous else None,
                change_p=draft.change_p,
                change_q=change_q,
                trend=trend,
            )
        )
    settings = ReportSettings(
        outcome=outcome,
        slices=tuple(slices),
        strata=tuple(strata),
        score=score,
        score_bins=score_bins,
        edition=edition,
        current=editions.current if editions else None,
        min_n=min_n,
    )
    return SliceReport(overall=overall, slices=tuple(results), settings=settings)
