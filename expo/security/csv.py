"""CSV cells that a spreadsheet will not run as formulas. Every CSV export goes through here.

Spreadsheets treat a cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula, and a
leading tab or carriage return can hide such a start (OWASP, "CSV Injection"). Such a cell
gets a leading apostrophe, which spreadsheets show as text and do not display. Numbers —
Python ``int``/``float``/``Decimal`` values and strings that are nothing but a plain decimal
number such as ``-3.5`` — cannot be formulas and are left alone so they stay numeric.
"""

import csv
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def csv_cell_escape(value: Any) -> Any:
    """``value`` with a leading apostrophe if a spreadsheet would read it as a formula."""
    if isinstance(value, bool | int | float | Decimal) or value is None:
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return value


def csv_row_escape(row: Iterable[Any]) -> list[Any]:
    """Every cell of ``row`` escaped with ``csv_cell_escape``."""
    return [csv_cell_escape(cell) for cell in row]


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class EscapingWriter:
    """A ``csv.writer`` whose rows are escaped; use it instead of ``csv.writer``."""

    def __init__(self, target: _Writable, **options: Any) -> None:
        self._writer = csv.writer(target, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(csv_row_escape(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(target: _Writable, **options: Any) -> EscapingWriter:
    """Like ``csv.writer(target, **options)``, escaping formula-like cells."""
    return EscapingWriter(target, **options)
