"""Reading back exported workbooks in tests."""

import io

from openpyxl import load_workbook


def open_book(content: bytes):
    return load_workbook(io.BytesIO(content))


def data_rows(ws) -> list[tuple]:
    """The table rows under the three title rows, up to the footer."""
    rows = []
    for row in ws.iter_rows(min_row=4, values_only=True):
        if not isinstance(row[0], int):
            break
        rows.append(row[:5])
    return rows


def formulas(book) -> list[str]:
    return [
        f"{ws.title}!{cell.coordinate}"
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
