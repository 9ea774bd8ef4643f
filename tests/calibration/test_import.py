"""Importing readings from CSV and Excel files: every line checked, then all saved or none.

The balance of the fixtures has one range, "0 – 220 g", and the weights give 100 g and 200 g;
`draft` already has two as-left points there. Files are built here, byte by byte or with
openpyxl, so each test shows exactly what the technician's file holds.
"""

import datetime as dt
import io
import unicodedata
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.contrib.messages import get_messages

from calibration import imports
from calibration import services as cal
from calibration import workflow as flow
from calibration.models import Adjustment, MeasurementPoint
from tests.conftest import login

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "import"


def url(calibration):
    return f"/calibrations/{calibration.pk}/import/"


def upload(client, calibration, name, content, **extra):
    file = io.BytesIO(content)
    file.name = name
    return client.post(url(calibration), {"file": file, **extra})


def csv_bytes(text, encoding="utf-8"):
    return text.replace("\n", "\r\n").encode(encoding)


def xlsx_bytes(rows, formats=None, title="Sheet1"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for coordinate, number_format in (formats or {}).items():
        sheet[coordinate].number_format = number_format
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def vietnamese_in_cp1258(text):
    """Text as a Vietnamese Windows saves it: base letters of 1258 plus combining tone marks."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", decomposed[:-1])
            out += base.encode("cp1258") + decomposed[-1].encode("cp1258")
    return out


def saved(calibration):
    """Each point as (range, phase, position, nominal, readings)."""
    return [
        (p.range.name, p.phase, p.position, f"{p.reference.nominal.normalize():f}", p.readings)
        for p in MeasurementPoint.objects.filter(calibration=calibration)
        .select_related("range", "reference")
        .order_by("range__position", "phase", "position")
    ]


def rejected_lines(result):
    return [line for line, _message in result.rejected]


@pytest.fixture
def second_range(draft, balance, procedure, alice):
    return cal.instrument_range_add(
        instrument=balance,
        procedure=procedure,
        by=alice,
        name="0 – 60 g",
        resolution=Decimal("0.00001"),
    )


@pytest.fixture
def adjusted(draft, alice):
    cal.calibration_set_conditions(
        calibration=draft,
        by=alice,
        temperature=Decimal("23"),
        humidity=Decimal("55"),
        adjustment=Adjustment.ADJUSTED,
    )
    draft.refresh_from_db()
    return draft


# --- Reading files ------------------------------------------------------------------------------


def test_a_vietnamese_csv_with_semicolons_and_decimal_commas_is_imported(client, draft, alice):
    content = "\ufeffDải đo;Giai đoạn;Danh định;Số đọc 1;Số đọc 2;Số đọc 3\n"
    content += "0 – 220 g;sau hiệu chỉnh;100;100,0003;100,0004;100,0003\n"
    content += "0 – 220 g;sau hiệu chỉnh;200;199,9997;199,9996;199,9997\n"

    response = upload(login(client, alice), draft, "so-doc.csv", csv_bytes(content))

    assert response.status_code == 302
    assert response["Location"] == f"/calibrations/{draft.pk}/"
    assert "2 points imported from so-doc.csv." in [
        m.message for m in get_messages(response.wsgi_request)
    ]
    assert saved(draft) == [
        ("0 – 220 g", "as_left", 1, "100", ["100.0003", "100.0004", "100.0003"]),
        ("0 – 220 g", "as_left", 2, "200", ["199.9997", "199.9996", "199.9997"]),
    ]
    assert draft.points.get(position=1).result["engine"]


def test_a_csv_with_commas_english_headers_and_any_column_order_is_imported(draft, alice):
    content = "reading 2,Nominal,reading 1,Phase\n100.0005,100,100.0004,as_left\n"

    result = imports.parse_import(draft, "readings.csv", csv_bytes(content))
    assert result.rejected == []
    assert imports.import_points(calibration=draft, result=result, by=alice) == 1

    assert saved(draft) == [
        ("0 – 220 g", "as_left", 1, "100", ["100.0004", "100.0005"]),  # replaced at 100 g
        ("0 – 220 g", "as_left", 2, "200", ["199.9998", "199.9999", "199.9998"]),  # kept
    ]


def test_a_tab_separated_file_and_short_reading_headers_are_understood(draft, alice):
    content = "nominal\tr1\tr2\tr3\n200\t199,9998\t199,9999\t\n"

    result = imports.parse_import(draft, "readings.txt", csv_bytes(content))

    assert result.rejected == []
    assert [list(row.readings) for row in result.rows] == [["199,9998", "199,9999"]]


def test_an_excel_workbook_keeps_the_digits_of_numeric_and_text_cells(draft, alice):
    content = xlsx_bytes(
        [
            ["Danh định", "Số đọc 1", "Số đọc 2", "Số đọc 3"],
            [100, 100.0002, "100,0001", 100.1],
            [200, 199.9998, 199.99979999999999, 200],
        ],
        formats={"D2": "0.0000", "D3": "0.0000"},
    )

    result = imports.parse_import(draft, "readings.xlsx", content)
    assert result.rejected == []
    imports.import_points(calibration=draft, result=result, by=alice)

    assert saved(draft) == [
        # 100.1 shown as 100.1000 by its format: the zeros count for the resolution
        ("0 – 220 g", "as_left", 1, "100", ["100.0002", "100.0001", "100.1000"]),
        # 199.99979999999999 is the double of 199.9998: Excel shows 199.9998
        ("0 – 220 g", "as_left", 2, "200", ["199.9998", "199.9998", "200.0000"]),
    ]


def test_the_sheet_named_readings_is_read_whatever_its_place(draft):
    workbook = openpyxl.Workbook()
    workbook.active.append(["notes"])
    sheet = workbook.create_sheet("Số đọc")
    sheet.append(["nominal", "reading 1", "reading 2"])
    sheet.append(["100", "100.0002", "100.0003"])
    output = io.BytesIO()
    workbook.save(output)

    result = imports.parse_import(draft, "book.xlsx", output.getvalue())

    assert result.rejected == []
    assert [row.reference.label for row in result.rows] == ["100 g"]


def test_the_kind_of_file_is_told_by_its_bytes_not_its_name(draft):
    content = xlsx_bytes([["nominal", "reading 1", "reading 2"], [100, 100.0002, 100.0003]])

    result = imports.parse_import(draft, "readings.csv", content)

    assert result.rejected == [] and len(result.rows) == 1


def test_two_ranges_and_both_phases_are_imported_and_other_points_are_kept(
    adjusted, second_range, alice
):
    before = saved(adjusted)
    content = "range;phase;nominal;reading 1;reading 2\n"
    content += "0 – 60 g;trước hiệu chỉnh;100;100,00051;100,00052\n"
    content += "0 – 60 g;as found;200;200,00041;200,00042\n"
    content += "0 - 60 g;As Left;100;100,00001;100,00002\n"  # a hyphen for the en dash

    result = imports.parse_import(adjusted, "two.csv", csv_bytes(content))
    assert result.rejected == []
    assert imports.import_points(calibration=adjusted, result=result, by=alice) == 3

    assert saved(adjusted) == [
        *before,  # 0 – 220 g as left: not in the file, kept
        ("0 – 60 g", "as_found", 1, "100", ["100.00051", "100.00052"]),
        ("0 – 60 g", "as_found", 2, "200", ["200.00041", "200.00042"]),
        ("0 – 60 g", "as_left", 1, "100", ["100.00001", "100.00002"]),
    ]


def test_an_import_merges_into_the_saved_points_and_removes_none(draft, alice):
    content = "nominal,reading 1,reading 2\n200,199.9995,199.9996\n"

    result = imports.parse_import(draft, "one.csv", csv_bytes(content))
    imports.import_points(calibration=draft, result=result, by=alice)

    assert saved(draft) == [
        ("0 – 220 g", "as_left", 1, "100", ["100.0002", "100.0001", "100.0002"]),
        ("0 – 220 g", "as_left", 2, "200", ["199.9995", "199.9996"]),
    ]


def test_rows_without_readings_are_skipped_like_blank_lines(draft):
    content = "nominal;reading 1;reading 2\n\n100;;\n200;199,9998;199,9999\n;;\n"

    result = imports.parse_import(draft, "gaps.csv", csv_bytes(content))

    assert result.rejected == []
    assert result.lines == [4]


def test_a_reference_may_be_named_by_its_label_or_asset_and_label(draft):
    content = "reference;reading 1;reading 2\n100 g;100,0002;100,0003\nE2-01 · 200 g;200;200\n"

    result = imports.parse_import(draft, "refs.csv", csv_bytes(content))

    assert result.rejected == []
    assert [row.reference.label for row in result.rows] == ["100 g", "200 g"]


# --- What is refused, and that nothing is saved ---------------------------------------------------

REFUSED_LINES = [
    # (file content, line, words of the message)
    ("range;nominal;r1;r2\n0 – 22 g;100;1;2\n", 2, "no range or channel “0 – 22 g”"),
    ("phase;nominal;r1;r2\nas found;100;1;2\n", 2, "only when the instrument is adjusted"),
    ("phase;nominal;r1;r2\nhalf way;100;1;2\n", 2, "phase “half way” is not known"),
    ("nominal;r1;r2\n150;150;150\n", 2, "has a value with the nominal 150"),
    ("nominal;r1;r2\nabc;150;150\n", 2, "Nominal: “abc” is not a number"),
    ("reference;r1;r2\n1 kg;1000;1000\n", 2, "the reference value “1 kg”"),
    ("nominal;r1;r2\n;100;100\n", 2, "Give the nominal"),
    ("nominal;r1;r2;r3\n100;100,0002;1,2,3;x\n", 2, "Reading 2: “1,2,3” is not a number"),
    ("nominal;r1;r2;r3\n100;100,0002;1,2,3;x\n", 2, "Reading 3: “x” is not a number"),
    ("nominal;r1;r2\n100;100,0002;\n", 2, "at least two readings"),
    ('nominal,r1,r2\n100,"100,0002",100.0003\n', 2, "a comma inside a number is ambiguous"),
    ("nominal;r1;r2\n100;1;2;3\n", 2, "cells with no column name"),
]


@pytest.mark.parametrize(("content", "line", "words"), REFUSED_LINES)
def test_a_wrong_line_is_reported_by_its_line_and_nothing_is_saved(
    client, draft, alice, content, line, words
):
    before = saved(draft)

    result = imports.parse_import(draft, "bad.csv", csv_bytes(content))
    response = upload(login(client, alice), draft, "bad.csv", csv_bytes(content))

    assert any(n == line and words in message for n, message in result.rejected), result.rejected
    assert response.status_code == 400
    assert words in response.content.decode().replace("&ldquo;", "“").replace("&rdquo;", "”")
    assert saved(draft) == before


REFUSED_FILES = [
    (b"", "The file is empty."),
    (b"\xef\xbb\xbf\r\n \r\n", "The file is empty."),
    (csv_bytes("nominal;reading 1;reading 2\n"), "The file has no readings"),
    (csv_bytes("nominal;reading 1;reading 101\n100;1;2\n"), "readings are numbered 1 to 100"),
    (csv_bytes(";".join(["nominal"] + [f"r{n}" for n in range(1, 120)]) + "\n"), "more than 110"),
    (csv_bytes("nominal;lần đo;r1\n100;1;2\n"), "The column “lần đo” is not known"),
    (csv_bytes("reading 1;reading 2\n1;2\n"), "no “nominal”"),
    (csv_bytes("nominal;nominal;r1\n100;100;1\n"), "appears twice"),
    (vietnamese_in_cp1258("Danh định;Số đọc 1\r\n100;1\r\n"), "not UTF-8"),
    (csv_bytes("Danh định;Lần đọc 1\n100;1\n", "utf-16"), "not UTF-8"),
    (csv_bytes("Nominal;Reading 1;Remarks é\n100;1;ok\n", "cp1252"), "not UTF-8"),
    (b"%PDF-1.4\n\x00\x01\x02\xff binary", "neither a CSV text file nor an Excel workbook"),
    (b"PK\x03\x04 not really a zip", "not a readable Excel workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "old Excel 97–2003 workbook"),
    (b'a;b\n"unclosed\x00;1\n', "neither a CSV text file nor an Excel workbook"),
]


@pytest.mark.parametrize(("content", "words"), REFUSED_FILES)
def test_a_file_that_cannot_be_taken_is_refused_with_a_clear_message(
    client, draft, alice, content, words
):
    before = saved(draft)

    result = imports.parse_import(draft, "readings.csv", content)
    response = upload(login(client, alice), draft, "readings.csv", content)

    assert result.rows == [] and any(words in message for _line, message in result.rejected)
    assert response.status_code == 400
    assert saved(draft) == before


def test_a_file_saved_in_a_windows_code_page_asks_for_utf8_not_a_500(client, draft, alice):
    content = vietnamese_in_cp1258("Dải đo;Giai đoạn;Danh định;Số đọc 1;Số đọc 2\n")

    response = upload(login(client, alice), draft, "windows.csv", content)

    assert response.status_code == 400
    page = response.content.decode()
    assert "not UTF-8" in page and "CSV UTF-8" in page


def test_a_file_named_xlsx_that_is_not_a_workbook_says_so(draft):
    result = imports.parse_import(draft, "readings.xlsx", csv_bytes("nominal;r1;r2\n100;1;2\n"))

    (only,) = result.rejected
    assert only[0] is None and "named as an Excel workbook but is not one" in only[1]


def test_a_file_over_5_mb_is_refused_before_it_is_read(client, draft, alice):
    content = csv_bytes("nominal;r1;r2\n") + b"100;1;2\r\n" * 600_000

    response = upload(login(client, alice), draft, "big.csv", content)

    assert response.status_code == 400
    assert "larger than 5 MB" in response.content.decode()
    assert (
        imports.parse_import(draft, "big.csv", content)
        .rejected[0][1]
        .startswith("The file is larger than 5 MB")
    )


def test_more_than_2000_rows_are_refused_whole(draft):
    content = csv_bytes("nominal;r1;r2\n" + "100;100,0002;100,0003\n" * 2001)
    exactly = csv_bytes("nominal;r1;r2\n" + "100;100,0002;100,0003\n" * 2000)

    result = imports.parse_import(draft, "many.csv", content)

    assert result.rows == []
    assert result.rejected == [(None, "The file has more than 2000 rows of readings: split it.")]
    assert imports.parse_import(draft, "many.csv", exactly).rejected == []


def test_an_excel_formula_is_refused_with_its_cell(draft):
    content = xlsx_bytes(
        [
            ["nominal", "reading 1", "reading 2"],
            [100, 100.0002, "=B2+0.0001"],
            [200, 199.9998, 199.9999],
        ]
    )

    result = imports.parse_import(draft, "formula.xlsx", content)

    assert result.rows and (2, "C2") == (result.rejected[0][0], result.rejected[0][1][5:7])
    assert "a formula (=B2+0.0001)" in result.rejected[0][1]
    assert "paste them as values" in result.rejected[0][1]


def test_a_date_or_boolean_cell_is_not_taken_for_a_reading(draft):
    content = xlsx_bytes(
        [
            ["nominal", "reading 1", "reading 2"],
            [100, dt.date(2026, 1, 2), 100.0001],
            [200, True, 199.9999],
        ]
    )

    result = imports.parse_import(draft, "odd.xlsx", content)

    assert rejected_lines(result) == [2, 3]
    assert "a date or time" in result.rejected[0][1]
    assert "TRUE or FALSE" in result.rejected[1][1]


def test_the_report_lists_every_wrong_line_not_only_the_first(client, draft, alice):
    before = saved(draft)
    content = "nominal;reading 1;reading 2\n"
    content += "100;100,0002;100,0003\n"  # 2: right
    content += "150;150;150\n"  # 3: no such reference value
    content += "200;199,9998;199,9999\n"  # 4: right
    content += "200;x;199,9999\n"  # 5: not a number
    content += "100;100,0002\n"  # 6: one reading

    result = imports.parse_import(draft, "mixed.csv", csv_bytes(content))
    response = upload(login(client, alice), draft, "mixed.csv", csv_bytes(content))

    assert rejected_lines(result) == [3, 5, 6]
    assert result.lines == [2, 4]
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page and "3 problems were found" in page
    assert saved(draft) == before


def test_line_numbers_are_the_files_own_with_quoted_line_breaks(draft):
    content = 'nominal;reading 1;reading 2;\n100;100,0002;100,0003;\n"a\nnote";1;2;\n150;1;2;\n'

    result = imports.parse_import(draft, "notes.csv", csv_bytes(content))

    assert rejected_lines(result) == [3, 5]


def test_as_found_is_refused_unless_the_instrument_was_adjusted(draft):
    content = "phase;nominal;r1;r2\ntrước hiệu chỉnh;100;100,0002;100,0003\n"

    result = imports.parse_import(draft, "found.csv", csv_bytes(content))

    assert result.rejected == [
        (2, "As-found readings are entered only when the instrument is adjusted.")
    ]


def test_without_a_range_column_an_instrument_with_two_ranges_needs_one(draft, second_range):
    content = "nominal;r1;r2\n100;100,0002;100,0003\n"

    result = imports.parse_import(draft, "which.csv", csv_bytes(content))

    assert result.rejected == [(2, "Say which range or channel: 0 – 220 g, 0 – 60 g.")]


def test_a_reference_value_two_standards_give_must_be_named(draft, alice, quinn, vmi, today):
    from standards.services import standard_calibration_record, standard_register

    other = standard_register(
        by=quinn, asset_number="F1-07", name="Quả cân F1", quantity="mass", unit="g"
    )
    standard_calibration_record(
        standard=other,
        provider=vmi,
        certificate_number="V01.26.0777",
        calibrated_on=today - dt.timedelta(days=10),
        due_on=today + dt.timedelta(days=300),
        by=quinn,
        values=[
            {
                "label": "100 g",
                "nominal": "100",
                "value": "100.0001",
                "expanded_uncertainty": "0.0003",
            }
        ],
    )
    draft.standard_uses.create(standard=other, standard_calibration=other.calibrations.get())

    by_nominal = imports.parse_import(draft, "a.csv", csv_bytes("nominal;r1;r2\n100;100;100\n"))
    by_label = imports.parse_import(
        draft, "b.csv", csv_bytes("reference;r1;r2\nF1-07 · 100 g;100;100\n")
    )

    assert (
        "Several reference values match (E2-01 · 100 g, F1-07 · 100 g)" in by_nominal.rejected[0][1]
    )
    assert by_label.rejected == [] and by_label.rows[0].reference.calibration.standard == other


def test_after_a_submission_an_import_needs_a_reason(client, draft, alice, rita):
    flow.calibration_submit(calibration=draft, by=alice)
    flow.calibration_return(calibration=draft, by=rita, reason="Thiếu số đọc / readings missing")
    content = csv_bytes("nominal;r1;r2\n100;100,0002;100,0003\n")
    login(client, alice)

    page = client.get(url(draft)).content.decode()
    without = upload(client, draft, "r.csv", content)
    before = saved(draft)
    with_reason = upload(client, draft, "r.csv", content, reason="Đo lại / measured again")

    assert 'name="reason"' in page
    assert without.status_code == 400 and "say why its data change" in without.content.decode()
    assert with_reason.status_code == 302
    assert saved(draft) != before
    point = draft.points.get(position=1)
    assert point.history.first().history_change_reason == "Đo lại / measured again"


def test_a_refusal_of_the_service_is_reported_by_the_files_line():
    located = imports._locate(
        ["Row 2: Reading 1: “x” is not a number.", "Row 12: no", "Not about a row"], [4, 9]
    )

    assert located == [
        (9, "Reading 1: “x” is not a number."),
        (None, "Row 12: no"),
        (None, "Not about a row"),
    ]


# --- The page and the templates ------------------------------------------------------------------


def test_the_page_shows_the_form_the_columns_and_the_templates(client, draft, alice):
    response = login(client, alice).get(url(draft))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert f"/calibrations/{draft.pk}/import/template.xlsx" in page
    assert f"/calibrations/{draft.pk}/import/template.csv" in page
    assert "no saved point is removed by an import" in page
    assert 'name="reason"' not in page  # never submitted: no reason needed


def test_a_post_without_a_file_is_a_400_and_saves_nothing(client, draft, alice):
    before = saved(draft)

    response = login(client, alice).post(url(draft), {})

    assert response.status_code == 400
    assert saved(draft) == before


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("bob", 403), ("rita", 403), ("quinn", 403), ("adam", 403), ("carol", 403), ("oscar", 404)],
)
@pytest.mark.parametrize(
    "path", ["import/", "import/template.xlsx", "import/template.csv", "import/ (POST)"]
)
def test_only_the_performing_technician_may_import(request, client, draft, persona, expected, path):
    before = saved(draft)
    login(client, request.getfixturevalue(persona))
    target = f"/calibrations/{draft.pk}/{path.removesuffix(' (POST)')}"
    if path.endswith("(POST)"):
        content = io.BytesIO(csv_bytes("nominal;r1;r2\n100;1;2\n"))
        content.name = "r.csv"
        response = client.post(target, {"file": content})
    else:
        response = client.get(target)

    assert response.status_code == expected
    assert saved(draft) == before


def test_an_anonymous_visitor_is_sent_to_log_in(client, draft):
    response = client.get(url(draft))

    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_calibration_no_longer_a_draft_sends_back_with_the_reason(client, draft, alice):
    flow.calibration_submit(calibration=draft, by=alice)
    before = saved(draft)
    login(client, alice)

    page = client.get(url(draft))
    post = upload(client, draft, "r.csv", csv_bytes("nominal;r1;r2\n100;1;2\n"))
    template = client.get(url(draft) + "template.xlsx")

    for response in (page, post, template):
        assert response.status_code == 302
        assert response["Location"] == f"/calibrations/{draft.pk}/"
    messages = [m.message for m in get_messages(post.wsgi_request)]
    assert "This calibration is submitted; only a draft can be changed." in messages
    assert saved(draft) == before


def test_the_excel_template_lists_ranges_phases_and_points_and_imports_once_filled(
    client, adjusted, second_range, alice, procedure
):
    second_range.points = ["100", "200"]
    second_range.save()
    response = login(client, alice).get(url(adjusted) + "template.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == imports.XLSX_TYPE
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    rows = [list(r) for r in sheet.iter_rows(values_only=True) if any(r)]
    assert rows[0][:4] == ["range", "phase", "nominal", "reading 1"]
    assert len(rows[0]) == 3 + procedure.readings_per_point
    assert [r[:3] for r in rows[1:]] == [
        ["0 – 220 g", "as found", "100"],
        ["0 – 220 g", "as found", "200"],
        ["0 – 220 g", "as left", "100"],
        ["0 – 220 g", "as left", "200"],
        ["0 – 60 g", "as found", "100"],
        ["0 – 60 g", "as found", "200"],
        ["0 – 60 g", "as left", "100"],
        ["0 – 60 g", "as left", "200"],
    ]
    assert sheet["D2"].number_format == "@"  # typed readings stay text, digits and all

    for row in range(2, 10):
        sheet.cell(row=row, column=4, value="100,0002" if row % 2 == 0 else "199,9998")
        sheet.cell(row=row, column=5, value="100,0003" if row % 2 == 0 else "199,9997")
    output = io.BytesIO()
    workbook.save(output)
    done = upload(client, adjusted, "filled.xlsx", output.getvalue())

    assert done.status_code == 302
    assert adjusted.points.count() == 8


def test_the_csv_template_is_utf8_with_a_bom_and_semicolons_in_vietnamese(client, draft, alice):
    login(client, alice)
    client.cookies["django_language"] = "vi"

    response = client.get(url(draft) + "template.csv")

    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert (
        text.splitlines()[0]
        == "dải đo;giai đoạn;danh định;số đọc 1;số đọc 2;số đọc 3;số đọc 4;số đọc 5"
    )
    assert text.splitlines()[1].startswith("0 – 220 g;sau hiệu chỉnh;100;")


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.*") if p.suffix != ".md"))
def test_the_sample_files_import(draft, name):
    result = imports.parse_import(draft, name, (DATA / name).read_bytes())

    assert result.rejected == [] and len(result.rows) == 2


def test_cell_text_follows_what_excel_shows():
    class Cell:
        def __init__(self, value, number_format="General", data_type="n"):
            self.value, self.number_format, self.data_type = value, number_format, data_type

    assert imports.cell_text(Cell(100.00019999999999)) == "100.0002"
    assert imports.cell_text(Cell(0.1 + 0.2)) == "0.3"
    assert imports.cell_text(Cell(1e-05, "0.000000")) == "0.000010"
    assert imports.cell_text(Cell(100.12345, "0.00")) == "100.12345"  # never rounded away
    assert imports.cell_text(Cell(100, '#,##0.000" g"')) == "100.000"
    assert imports.cell_text(Cell(12, "0.00%")) == "12"
    assert imports.cell_text(Cell(" 100,5 ", "@", "s")) == "100,5"
    with pytest.raises(ValueError, match="an error value"):
        imports.cell_text(Cell("#DIV/0!", data_type="e"))


def test_the_page_and_its_report_render_in_vietnamese(client, draft, alice):
    login(client, alice)
    client.cookies["django_language"] = "vi"
    content = csv_bytes("danh định;số đọc 1;số đọc 2\n150;150;150\n100;x;1\n")

    page = client.get(url(draft))
    report = upload(client, draft, "sai.csv", content)

    assert page.status_code == 200 and '<html lang="vi">' in page.content.decode()
    assert report.status_code == 400
    assert "Số đọc 1" in report.content.decode()  # the service's own words, translated


def test_a_row_wider_than_any_import_is_refused(draft):
    row = [100, "100.0002", "100.0003"] + [None] * 150 + ["stray"]
    content = xlsx_bytes([["nominal", "reading 1", "reading 2"], row])

    result = imports.parse_import(draft, "wide.xlsx", content)

    assert result.rejected == [
        (2, "There are values in cells with no column name in the header row.")
    ]


def test_a_csv_line_longer_than_the_csv_reader_takes_is_refused_with_a_message(
    client, draft, alice
):
    before = list(draft.points.values_list("readings", flat=True))
    login(client, alice)
    response = upload(client, draft, "huge.csv", b"nominal," + b"x" * 200_000 + b"\n100,1,2\n")
    assert response.status_code == 400
    assert "cannot be read as CSV" in response.content.decode()
    assert list(draft.points.values_list("readings", flat=True)) == before
