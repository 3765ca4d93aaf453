"""Reading back staff exports written by portal.lib.xlsx.write_report in tests."""

import io

from openpyxl import load_workbook

from portal.lib.xlsx import HEADER_ROW


def report_table(content: bytes):
    """(header, data rows, sheet) of a report: the table under its title and note."""
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(min_row=HEADER_ROW, values_only=True))
    return rows[0], rows[1:], sheet
