"""CSV exports that are safe to open in a spreadsheet."""

import csv
from collections.abc import Iterable
from typing import Any

from django.http import StreamingHttpResponse

from expo.security.csv import csv_cell_escape as csv_safe


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
