"""Reading incoming DCCs: PTB's examples, a fictitious VMI weight set, and what is refused.

Files and their sources: tests/data/dcc/README.md. Every number is compared as the Decimal of
the digits printed in the file, and its ``str`` where the trailing zeros matter.
"""

import hashlib
import time
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from dcc.errors import DccError
from dcc.read import read

DATA = Path(__file__).resolve().parents[1] / "data" / "dcc"


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


def refused(data: bytes, **kwargs) -> DccError:
    with pytest.raises(DccError) as caught:
        read(data, **kwargs)
    return caught.value


# --- PTB's examples ---------------------------------------------------------------------------


def test_ptb_valid_example_gives_its_core_data():
    dcc = read(load("valid.xml"))

    assert dcc.schema_version == "3.3.0"
    assert dcc.certificate_number == "1234"
    assert dcc.calibrated_on == dcc.performance_begin == date(1957, 8, 13)
    assert dcc.performance_end == dcc.receipt_date == date(1957, 8, 13)
    assert dcc.issued_on is None
    assert dcc.performance_location == "laboratory"
    assert dcc.country_code == "DE"
    assert dcc.languages == ("en", "de")
    assert dcc.mandatory_languages == ("en",)
    assert dcc.identifications[0].value == "string-calibrationLaboratory-coreData"
    assert dcc.identifications[0].names == {"de": "Auftrags Nr.", "en": "Order no."}


def test_ptb_valid_example_gives_laboratory_customer_people_and_item():
    dcc = read(load("valid.xml"))

    assert dcc.laboratory.name == "Kalibrierfirma GmbH"
    assert dcc.laboratory.code == ""  # the example has no dcc:calibrationLaboratoryCode
    assert (dcc.laboratory.city, dcc.laboratory.country_code) == ("Musterstadt", "DE")
    assert dcc.laboratory.email == "info@kalibrierfirma.xx"
    assert dcc.customer.name == "Kunde GmbH"
    assert [(p.name, p.main_signer) for p in dcc.resp_persons] == [
        ("Michaela Musterfrau", True),
        ("Michael Mustermann", False),
    ]
    [item] = dcc.items
    assert (item.name, item.manufacturer, item.model) == ("String", "String", "String")
    assert item.serial_number == "string-manufacturer-item"  # named "Serial no." / "Serien Nr."
    assert [i.issuer for i in item.identifications] == [
        "manufacturer",
        "customer",
        "calibrationLaboratory",
    ]
    assert [m.norms for m in dcc.methods] == [("GUM",), ("DKD-R 5-1:2018",)]
    assert dcc.equipment[0].name == "Pt 100 thermometer"
    assert dcc.has_signature is False


def test_ptb_valid_example_gives_each_column_of_its_table_row_by_row():
    dcc = read(load("valid.xml"))

    # 3 quantities x 5 points; no nominal column in this table
    assert len(dcc.results) == 15
    assert {r.group for r in dcc.results} == {"Measuring results"}
    assert all(r.nominal is None and r.label == "" for r in dcc.results)
    reference = [r for r in dcc.results if r.ref_type == "basic_referenceValue"]
    # si:hybrid in kelvin and degree Celsius: the first alternative, kelvin, is read
    assert [r.value for r in reference] == [
        Decimal("306.248"),
        Decimal("373.121"),
        Decimal("448.253"),
        Decimal("523.319"),
        Decimal("593.154"),
    ]
    assert {r.unit for r in reference} == {"\\kelvin"}
    indicated = [r for r in dcc.results if r.ref_type == "basic_measuredValue"]
    assert indicated[1].value == Decimal("373.21")
    assert indicated[1].name == "Indicated measured value probe"
    assert indicated[1].names["de"] == "Angezeigter Messwert Kalibriergegenstand"


def test_ptb_valid_example_spreads_one_uncertainty_over_the_whole_list():
    errors = [r for r in read(load("valid.xml")).results if r.ref_type == "basic_measurementError"]

    assert [r.value for r in errors] == [
        Decimal("0.072"),
        Decimal("0.089"),
        Decimal("0.107"),
        Decimal("-0.009"),
        Decimal("-0.084"),
    ]
    for r in errors:  # U = 0.061 K (k = 2, p = 0.95) given once for the five points
        assert (r.expanded_uncertainty, r.coverage_factor, r.coverage_probability) == (
            Decimal("0.061"),
            Decimal("2"),
            Decimal("0.95"),
        )
        assert r.unit == "\\kelvin" and r.plain_unit == "K"
        assert r.conformity == "pass"  # dcc:conformityXMLList "pass" for all
    assert [r.index for r in errors] == [0, 1, 2, 3, 4]


def test_ptb_valid_example_keeps_influence_conditions_apart_from_results():
    dcc = read(load("valid.xml"))

    conditions = {(c.group, c.name): (c.value, c.unit) for c in dcc.conditions}
    assert conditions[("Immersion depth in water bath", "Immersion depth")] == (
        Decimal("0.1"),
        "\\metre",
    )
    assert conditions[("Ambient condition temperature", "temperature min")] == (
        Decimal("293"),
        "\\kelvin",
    )
    assert str(conditions[("Ambient condition relative humidity", "humidity max")][0]) == "0.70"
    # the validity range in dcc:statements and the acceptance limits in metadata are not results
    assert Decimal("-0.23") not in {r.value for r in dcc.results}
    assert Decimal("306") not in {r.value for r in dcc.results}


def test_ptb_valid_example_gives_its_conformity_statement():
    [statement] = read(load("valid.xml")).conformity

    assert statement.status == "pass"
    assert statement.ref_type == "basic_conformity"
    assert statement.declaration.startswith("The conformity statement is made on the basis")
    assert statement.declarations["de"].startswith("Die Konformitätsaussage")


def test_signed_ptb_example_reads_and_says_it_is_signed_without_verifying_it():
    signed = read(load("valid_signature.xml"))

    assert signed.has_signature is True
    assert signed.results == read(load("valid.xml")).results


def test_ptb_invalid_example_is_refused_with_its_two_schema_errors():
    error = refused(load("invalid_schema.xml"))

    assert error.code == "invalid"
    assert len(error.messages) == 2
    assert error.messages[0].startswith("line 17: ")  # the empty dcc:uniqueIdentifier
    assert error.messages[0].endswith(
        "/dcc:coreData/dcc:uniqueIdentifier: value doesn't match any pattern of "
        "['[^\\\\s]+(\\\\s+[^\\\\s]+)*']"
    )
    assert error.messages[1].startswith("line 34: ")  # a dcc:item with no dcc:name
    assert "Tag 'dcc:name' expected" in error.messages[1]


# --- a VMI certificate for a box of E2 weights (fictitious) -----------------------------------

# nominal (g), conventional mass (g), U (g), as printed in vmi-weights-e2.xml
WEIGHTS = [
    ("1", "1.000012", "0.000010"),
    ("2", "2.000008", "0.000012"),
    ("5", "4.999985", "0.000016"),
    ("10", "10.000021", "0.000020"),
    ("20", "19.999968", "0.000025"),
    ("50", "50.000045", "0.000030"),
    ("100", "100.000062", "0.000050"),
    ("200", "199.999910", "0.000100"),
    ("500", "500.000310", "0.000250"),
    ("1000", "1000.000720", "0.000500"),
]


def test_vmi_weights_give_ten_values_paired_with_their_nominal_values():
    results = read(load("vmi-weights-e2.xml")).results

    assert len(results) == 10  # the nominal column is not a result of its own
    for result, (nominal, value, uncertainty) in zip(results, WEIGHTS, strict=True):
        assert result.nominal == Decimal(nominal)
        # exactly the digits of the file, trailing zeros included: no float on the way
        assert str(result.value) == value
        assert str(result.expanded_uncertainty) == uncertainty
        assert result.coverage_factor == Decimal("2")
        assert result.coverage_probability == Decimal("0.95")
        assert result.standard_uncertainty is None
        assert result.unit == result.nominal_unit == "\\gram"
        assert result.plain_unit == "g"
        assert result.label == f"{nominal} g"
        assert result.conformity == "pass"
        assert result.name == "Khối lượng quy ước"
        assert result.names["en"] == "Conventional mass"
        assert result.ref_type == "mass_conventionalMass basic_measuredValue"
        assert result.group == "Khối lượng quy ước"
    assert results[9].value - results[9].nominal == Decimal("0.000720")


def test_vmi_weights_give_laboratory_item_dates_and_people():
    dcc = read(load("vmi-weights-e2.xml"))

    assert dcc.certificate_number == "V01.26.0157"
    assert dcc.calibrated_on == dcc.performance_begin == date(2026, 3, 9)
    assert dcc.performance_end == date(2026, 3, 11)
    assert dcc.issued_on == date(2026, 3, 16)
    assert dcc.receipt_date == date(2026, 3, 2)
    assert (dcc.languages, dcc.mandatory_languages) == (("vi", "en"), ("vi",))
    assert dcc.laboratory.name == "Viện Đo lường Việt Nam"
    assert dcc.laboratory.names["en"] == "Vietnam Metrology Institute"
    assert dcc.laboratory.code == "VILAS 002"
    assert (dcc.laboratory.city, dcc.laboratory.country_code) == ("Hà Nội", "VN")
    assert dcc.customer.city == "Hòa Bình"
    [item] = dcc.items
    assert item.manufacturer == "Häfner"
    # found by its name "Số sêri" although the customer's asset number comes first
    assert item.serial_number == "21-0457"
    assert item.name == "Bộ quả cân chuẩn cấp chính xác E2, 1 g – 1 kg"
    assert [(p.name, p.main_signer) for p in dcc.resp_persons] == [
        ("Nguyễn Văn Minh", False),
        ("Trần Thị Thu Hà", True),
    ]
    assert dcc.identifications[0].value == "YC-2026-014"


def test_vmi_weights_give_conformity_methods_equipment_and_conditions():
    dcc = read(load("vmi-weights-e2.xml"))

    # the traceability statement has no conformity: only the conformity statement is kept
    [statement] = dcc.conformity
    assert (statement.status, statement.norms) == ("pass", ("OIML R 111-1:2004",))
    assert statement.declarations["en"].endswith("maximum permissible error of class E2.")
    assert [m.norms for m in dcc.methods] == [("OIML R 111-1:2004",), ("JCGM 100:2008",)]
    assert dcc.equipment[0].identifications[0].value == "M-E1-03"
    conditions = {c.name: c for c in dcc.conditions}
    assert conditions["Nhỏ nhất"].value == Decimal("20.1")
    assert conditions["Lớn nhất"].plain_unit == "°C"
    air = conditions["Khối lượng riêng của không khí"]  # unnamed quantity: its condition's name
    assert (air.value, air.plain_unit) == (Decimal("1.1712"), "kg/m³")
    assert air.standard_uncertainty == Decimal("0.0006")
    assert air.expanded_uncertainty is None  # a standard uncertainty is never turned into U
    assert dcc.unsupported == ()


def test_the_sha256_is_that_of_the_bytes_as_uploaded():
    data = load("vmi-weights-e2.xml")

    assert read(data).sha256 == hashlib.sha256(data).hexdigest()


def test_names_are_picked_in_the_languages_asked_for():
    dcc = read(load("vmi-weights-e2.xml"), languages=("en",))

    assert dcc.laboratory.name == "Vietnam Metrology Institute"
    assert dcc.results[0].name == "Conventional mass"
    assert dcc.items[0].name == "Set of OIML R 111 class E2 weights, 1 g to 1 kg"


def test_a_nominal_column_is_recognised_by_its_name_in_decomposed_vietnamese():
    data = load("vmi-weights-e2.xml").decode()
    data = data.replace('refType="basic_nominalValue"', 'refType="basic_referenceValue"')
    nfd = unicodedata.normalize("NFD", "Giá trị danh định")
    data = data.replace("Giá trị danh định", nfd).replace(">Nominal value<", ">Nominal<")

    results = read(data.encode()).results

    assert [r.nominal for r in results] == [Decimal(n) for n, _, _ in WEIGHTS]


def test_a_nominal_column_of_another_length_is_not_paired():
    data = load("vmi-weights-e2.xml").replace(
        b"<si:valueXMLList>1 2 5 10 20 50 100 200 500 1000</si:valueXMLList>",
        b"<si:valueXMLList>1 2 5 10 20</si:valueXMLList>",
    )

    results = read(data).results

    assert len(results) == 10
    assert all(r.nominal is None and r.nominal_unit == "" and r.label == "" for r in results)


# --- one si:real ------------------------------------------------------------------------------


def test_a_single_real_result_is_read_with_its_nominal_value():
    dcc = read(load("thermometer-single.xml"))

    [result] = dcc.results
    assert result.name == "Indication of the thermometer"
    assert result.names == {"": "Indication of the thermometer"}  # no lang attribute
    assert str(result.value) == "100.015"
    assert str(result.expanded_uncertainty) == "0.030"
    assert (result.coverage_factor, result.coverage_probability) == (Decimal(2), Decimal("0.95"))
    assert (result.nominal, result.label) == (Decimal("100"), "100 °C")
    assert result.plain_unit == "°C"
    assert dcc.issued_on is None  # dcc:issueDate is optional in 3.3.0
    assert dcc.items[0].serial_number == "B38422"  # unnamed: the manufacturer's identification
    assert dcc.conformity == ()


def test_a_value_written_nan_is_skipped_and_named():
    data = load("thermometer-single.xml").replace(b">100.015<", b">NaN<")

    error = refused(data)

    assert error.code == "no_results"
    assert error.messages == ["not read: Indication of the thermometer [1]: the value is NaN"]


def test_an_unsupported_dsi_element_is_named_not_read():
    impedance = (
        b"<dcc:quantity><dcc:name><dcc:content>Impedance</dcc:content></dcc:name>"
        b"<si:complex><si:valueReal>100.02</si:valueReal><si:valueImag>0.15</si:valueImag>"
        b"<si:unit>\\ohm</si:unit></si:complex></dcc:quantity>"
    )
    data = load("thermometer-single.xml").replace(b"</dcc:data>", impedance + b"</dcc:data>")

    dcc = read(data)

    assert len(dcc.results) == 1
    assert dcc.unsupported == ("Impedance: si:complex",)


# --- refused ----------------------------------------------------------------------------------


def test_a_file_that_is_not_xml_is_refused_as_not_xml():
    error = refused(load("not-xml.pdf"))

    assert error.code == "not_xml"
    assert error.messages[0].startswith("line 1, column ")


@pytest.mark.parametrize("data", [b"", b"   ", b"<dcc:digitalCalibrationCertificate"])
def test_empty_or_truncated_bytes_are_refused_as_not_xml(data):
    assert refused(data).code == "not_xml"


def test_xml_that_is_not_a_dcc_is_refused_as_not_dcc():
    error = refused(b'<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>')

    assert error.code == "not_dcc"
    assert "{http://www.w3.org/1999/xhtml}html" in error.messages[0]


def test_a_dcc_of_another_schema_version_is_refused_as_unsupported_version():
    data = load("valid.xml").replace(b'schemaVersion="3.3.0"', b'schemaVersion="3.2.1"')

    error = refused(data)

    assert error.code == "unsupported_version"
    assert "'3.2.1'" in error.messages[0]


def test_a_schema_invalid_dcc_is_refused_with_the_line_of_the_error():
    error = refused(load("thermometer-missing-unit.xml"))

    assert error.code == "invalid"
    [message] = error.messages
    assert message.startswith("line 101: ")
    assert "dcc:quantity[2]/si:real" in message and "Tag 'si:unit' expected" in message


def test_a_valid_dcc_without_numeric_results_is_refused_as_no_results():
    error = refused(load("no-results.xml"))

    assert error.code == "no_results"


def test_lists_of_different_lengths_are_refused_as_inconsistent():
    data = load("vmi-weights-e2.xml").replace(
        b"0.000010 0.000012 0.000016 0.000020 0.000025 0.000030 0.000050 0.000100 0.000250 "
        b"0.000500",
        b"0.000010 0.000012 0.000016",
    )

    error = refused(data)

    assert error.code == "inconsistent"
    assert error.messages == ["Khối lượng quy ước: 10 values but 3 expanded uncertainties"]


def test_a_conformity_list_of_another_length_is_refused_as_inconsistent():
    data = load("vmi-weights-e2.xml").replace(
        b">pass pass pass pass pass pass pass pass pass pass<", b">pass fail<"
    )

    assert refused(data).code == "inconsistent"


def test_a_file_over_the_size_limit_is_refused_unread():
    error = refused(load("vmi-weights-e2.xml"), max_bytes=1000)

    assert error.code == "too_large"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<dcc:digitalCalibrationCertificate xmlns:dcc="https://ptb.de/dcc" schemaVersion="3.3.0">
&lol9;</dcc:digitalCalibrationCertificate>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE dcc [<!ENTITY passwd SYSTEM "file:///etc/passwd">]>
<dcc:digitalCalibrationCertificate xmlns:dcc="https://ptb.de/dcc" schemaVersion="3.3.0">
<dcc:comment>&passwd;</dcc:comment></dcc:digitalCalibrationCertificate>
"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "external"])
def test_a_document_with_entities_is_refused_before_anything_expands(data):
    started = time.perf_counter()

    error = refused(data)

    assert error.code == "unsafe"
    assert error.messages == ["a DOCTYPE declaration (DTD) is not allowed in a DCC"]
    assert "root:" not in str(error) and "lollol" not in str(error)
    assert time.perf_counter() - started < 1


def test_even_a_harmless_doctype_in_front_of_a_valid_dcc_is_refused():
    data = load("thermometer-single.xml").replace(
        b"<dcc:digitalCalibrationCertificate",
        b"<!DOCTYPE dcc:digitalCalibrationCertificate>\n<dcc:digitalCalibrationCertificate",
        1,
    )

    assert refused(data).code == "unsafe"


def test_absurdly_deep_nesting_is_refused():
    data = b"<a>" * 1000 + b"</a>" * 1000

    assert refused(data).code == "unsafe"


def test_a_hybrid_is_read_in_its_si_alternative_even_when_it_comes_second():
    hybrid = (
        b"<si:hybrid>"
        b"<si:real><si:value>212.027</si:value><si:unit>|degreefahrenheit</si:unit></si:real>"
        b"<si:real><si:value>100.015</si:value><si:unit>\\degreecelsius</si:unit></si:real>"
        b"</si:hybrid>"
    )
    data = load("thermometer-single.xml")
    start = data.index(b"<si:real>", data.index(b"Indication of the thermometer"))
    end = data.index(b"</si:real>", start) + len(b"</si:real>")

    [result] = read(data[:start] + hybrid + data[end:]).results

    assert (result.value, result.unit) == (Decimal("100.015"), "\\degreecelsius")
    assert result.expanded_uncertainty is None  # this hybrid states no uncertainty
