"""Workbooks we write hold data, never formulas.

A name typed by a user (a customer, a market, a standard) that starts with "=" would be stored by
openpyxl as a formula and run in the reader's spreadsheet (formula injection); every such cell is
written as text instead.
"""


def without_formulas(sheet) -> None:
    """Turn every formula openpyxl inferred from a text value back into text.

    >>> from openpyxl import Workbook
    >>> sheet = Workbook().active
    >>> sheet.append(["=HYPERLINK(\\"http://x\\")", "Chợ Lớn", 3])
    >>> without_formulas(sheet)
    >>> [cell.data_type for cell in sheet[1]]
    ['s', 's', 'n']
    """
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
