"""Reading an uploaded CSV file the one way every import does (orders from a channel, sales
history): UTF-8 (a byte-order mark allowed), line breaks read by the csv module itself so a
lone CR ends a row, and whatever the csv module cannot read (a field over its size limit, a
stray quote) refused as 422 naming its line, never a 500."""

from __future__ import annotations

import csv
import io

from erp_shared.errors import Invalid


def csv_records(data: bytes) -> list[list[str]]:
    """Every record of the file, the header first."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(
            "The file is not UTF-8 text.", {"file": [f"Not UTF-8 at byte {exc.start}."]}
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return list(reader)
    except csv.Error as error:
        raise Invalid(
            "The file cannot be read as CSV.", {"file": [f"Line {reader.line_num}: {error}."]}
        ) from None
