"""CSV exports that are safe to open in a spreadsheet."""

import csv
import re
from collections.abc import Iterable
from typing import Any

from django.http import StreamingHttpResponse

# A cell starting with one of these is run as a formula by spreadsheets (OWASP, "CSV
# Injection"); tab and carriage return can hide such a start.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def csv_safe(value: Any) -> Any:
    """``value`` with a leading apostrophe if a spreadsheet would read it as a formula.
    Plain numbers (also negative ones) are left alone: they cannot be formulas."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(rows: Iterable[Iterable[Any]], *, filename: str) -> StreamingHttpResponse:
    """Stream ``rows`` as a UTF-8 CSV download (with BOM, so spreadsheets read accents)."""
    writer = csv.writer(_Echo())

    def lines() -> Iterable[str]:
        yield "\ufeff"
        for row in rows:
            yield writer.writerow([csv_safe(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
