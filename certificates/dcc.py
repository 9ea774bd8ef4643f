r"""An issued certificate as a PTB Digital Calibration Certificate (DCC 3.3.0, D-SI 2.2).

``dcc_xml(certificate)`` writes what the PDF states, from the same frozen data (the stored point
results, the calibration's signatures, the standards it recorded), and checks the bytes against
the bundled XSD before returning them (:func:`dcc.xsd.validate`): a DCC we would not accept from
a supplier is never handed out. Nothing is written to the database and nothing is recomputed:
every number is the reported figure stored in the point's result, written as plain decimal text.

Layout (what :func:`dcc.read.read` reads back):

- ``administrativeData``: the software, the core data (number, dates, languages vi and en, vi
  mandatory), the instrument (serial number and customer's ID), the laboratory, the reviewer and
  the approver (main signer), the customer, and the statements the PDF prints (traceability,
  "results relate only to the item calibrated", the adjustment, the uncertainty, the decision
  rules).
- ``measurementResults``: one ``measurementResult`` named after the procedure, with the method,
  the standards used and the environment; one ``result`` per range and phase; in it one
  ``dcc:list`` per point with the reference value, the mean indication and the error with its
  expanded uncertainty (``si:expandedMU``: U, k, p) and, where a decision was made, its
  conformity (``pass``, ``fail``, ``conditionalPass``, ``conditionalFail``), statement and
  tolerance.

Units are written as D-SI strings from :data:`DSI_UNITS`; any other unit is refused with
:class:`DccExportError` rather than guessed.
"""

import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation
from importlib import metadata

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import RevisionKind
from certificates.render import ADJUSTMENT_WORDS, PHASE_WORDS
from certificates.revisions import replacement_of
from dcc.xsd import DCC, NAMESPACES, SCHEMA_VERSION, SI, validate
from traceability.chains import chain_for, statement

ET.register_namespace("dcc", DCC)
ET.register_namespace("si", SI)
XSI = NAMESPACES["xsi"]
SCHEMA_LOCATION = f"{DCC} https://ptb.de/dcc/v{SCHEMA_VERSION}/dcc.xsd"

# The lab's unit symbols and their D-SI strings; dcc.units.plain_unit reads each back unchanged.
DSI_UNITS = {
    "g": r"\gram",
    "kg": r"\kilogram",
    "mg": r"\milli\gram",
    "µg": r"\micro\gram",
    "t": r"\tonne",
    "°C": r"\degreecelsius",
    "K": r"\kelvin",
    "bar": r"\bar",
    "mbar": r"\milli\bar",
    "Pa": r"\pascal",
    "hPa": r"\hecto\pascal",
    "kPa": r"\kilo\pascal",
    "MPa": r"\mega\pascal",
    "%": r"\percent",
    "V": r"\volt",
    "mV": r"\milli\volt",
    "kV": r"\kilo\volt",
    "A": r"\ampere",
    "mA": r"\milli\ampere",
    "µA": r"\micro\ampere",
    "Ω": r"\ohm",
    "mΩ": r"\milli\ohm",
    "kΩ": r"\kilo\ohm",
    "MΩ": r"\mega\ohm",
    "m": r"\metre",
    "mm": r"\milli\metre",
    "µm": r"\micro\metre",
    "L": r"\litre",
    "mL": r"\milli\litre",
    "s": r"\second",
    "Hz": r"\hertz",
    "N": r"\newton",
}
# Look-alike characters typed for the same unit: Greek mu and the Ohm sign.
_LOOKALIKES = str.maketrans({"\u03bc": "\u00b5", "\u2126": "\u03a9"})

CONFORMITY = {
    "pass": "pass",
    "fail": "fail",
    "conditional_pass": "conditionalPass",
    "conditional_fail": "conditionalFail",
}

RELATES_ONLY = (
    "Kết quả hiệu chuẩn chỉ có giá trị đối với phương tiện đo được hiệu chuẩn. Không được sao "
    "chép một phần giấy chứng nhận này nếu không có sự đồng ý bằng văn bản của phòng thí nghiệm.",
    "The results relate only to the item calibrated. This certificate shall not be reproduced "
    "except in full without the written approval of the laboratory.",
)
UNCERTAINTY = (
    "Độ không đảm bảo đo mở rộng U được tính bằng độ không đảm bảo đo chuẩn tổng hợp nhân với hệ "
    "số phủ k, ứng với xác suất phủ xấp xỉ 95 %, theo JCGM 100:2008 (GUM). "
    "Sai số = giá trị chỉ thị − giá trị chuẩn.",
    "The expanded uncertainty U is the combined standard uncertainty multiplied by the coverage "
    "factor k, for a coverage probability of approximately 95 %, evaluated according to "
    "JCGM 100:2008 (GUM). Error = indication − reference value.",
)
OUTSIDE_SCOPE = (
    "Kết quả nằm ngoài phạm vi được công nhận.",
    "Result outside the scope of accreditation.",
)


class DccExportError(ValueError):
    """The certificate cannot be written as a DCC (an unknown unit, a figure that is no number)."""


def dsi_unit(unit: str) -> str:
    r"""The D-SI string of one of our units; :class:`DccExportError` for any other.

    >>> dsi_unit("mg"), dsi_unit("°C"), dsi_unit("kPa"), dsi_unit("\u2126")
    ('\\milli\\gram', '\\degreecelsius', '\\kilo\\pascal', '\\ohm')
    """
    found = DSI_UNITS.get(unit.strip().translate(_LOOKALIKES))
    if found is None:
        raise DccExportError(
            _(
                "The unit “%(unit)s” has no D-SI equivalent known to the LIMS; known units: %(known)s."
            )
            % {"unit": unit, "known": ", ".join(DSI_UNITS)}
        )
    return found


def number(value) -> str:
    """A figure as plain decimal text with a point, exactly the digits stored.

    >>> number("0.00015"), number("-0.00013"), number("2.23"), number(0.95), number("1E-5")
    ('0.00015', '-0.00013', '2.23', '0.95', '0.00001')
    """
    try:
        decimal = Decimal(str(value))
    except InvalidOperation:
        decimal = Decimal("NaN")
    if not decimal.is_finite():
        raise DccExportError(_("“%(value)s” is not a number.") % {"value": value})
    return f"{decimal:f}"


# --- building blocks --------------------------------------------------------------------------


def _el(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    prefix, _sep, name = tag.partition(":")
    element = ET.SubElement(parent, f"{{{NAMESPACES[prefix]}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def _text(parent: ET.Element, tag: str, vi: str, en: str | None = None) -> ET.Element:
    """A dcc:textType or richContentType: Vietnamese, then English when given."""
    element = _el(parent, tag)
    _el(element, "dcc:content", vi, lang="vi")
    if en:
        _el(element, "dcc:content", en, lang="en")
    return element


def _neutral(parent: ET.Element, tag: str, text: str) -> ET.Element:
    """A text the same in every language (a person's name, a maker, an address)."""
    element = _el(parent, tag)
    _el(element, "dcc:content", text)
    return element


def _real(parent: ET.Element, value, unit: str, U=None, k=None, p=None) -> ET.Element:
    real = _el(parent, "si:real")
    _el(real, "si:value", number(value))
    _el(real, "si:unit", dsi_unit(unit))
    if U is not None:
        mu = _el(_el(real, "si:measurementUncertaintyUnivariate"), "si:expandedMU")
        _el(mu, "si:valueExpandedMU", number(U))
        _el(mu, "si:coverageFactor", number(k))
        _el(mu, "si:coverageProbability", number(p))
    return real


def _quantity(parent, ref_type: str, vi: str, en: str, value, unit: str, **uncertainty):
    quantity = _el(parent, "dcc:quantity", refType=ref_type)
    _text(quantity, "dcc:name", vi, en)
    _real(quantity, value, unit, **uncertainty)
    return quantity


def _statement(parent, vi: str, en: str, ref_type: str = "", conformity: tuple[str, ...] = ()):
    element = _el(parent, "dcc:statement", **({"refType": ref_type} if ref_type else {}))
    _text(element, "dcc:declaration", vi, en)
    if len(set(conformity)) == 1:
        _el(element, "dcc:conformity", conformity[0])
    elif conformity:  # the status of each point the statement covers, in the results' order
        _el(element, "dcc:conformityXMLList", " ".join(conformity))
    return element


def _identification(parent, issuer: str, value: str, vi: str, en: str) -> None:
    identification = _el(parent, "dcc:identification")
    _el(identification, "dcc:issuer", issuer)
    _el(identification, "dcc:value", value)
    _text(identification, "dcc:name", vi, en)


def _software_release() -> str:
    try:
        return metadata.version("lims")
    except metadata.PackageNotFoundError:
        return "0"


# --- what the certificate states --------------------------------------------------------------


def _sections(calibration) -> list[dict]:
    """The points by range and phase, in the order of the PDF (certificates.render)."""
    sections: dict[tuple[int, str], dict] = {}
    points = calibration.points.select_related("range").order_by(
        "range__position", "range_id", "phase", "position"
    )
    for point in points:
        section = sections.setdefault(
            (point.range_id, point.phase),
            {"range": point.range, "phase": point.phase, "points": []},
        )
        section["points"].append(point)
    return list(sections.values())


def _decision_rules(sections) -> list[tuple[str, str, list[str]]]:
    """Each decision rule stated (vi, en) with the conformity of every point it decided."""
    rules: dict[tuple[str, str], list[str]] = {}
    for section in sections:
        for point in section["points"]:
            result = point.result
            if result.get("decision"):
                rule = (
                    result["statement_vi"].split(". ")[-1],
                    result["statement_en"].split(". ")[-1],
                )
                rules.setdefault(rule, []).append(_conformity(result["decision"]))
    return [(vi, en, statuses) for (vi, en), statuses in sorted(rules.items())]


def _conformity(decision: str) -> str:
    try:
        return CONFORMITY[decision]
    except KeyError:
        raise DccExportError(
            _("The decision “%(decision)s” has no DCC conformity status.") % {"decision": decision}
        ) from None


def _signers(calibration) -> dict[str, object]:
    """The last reviewer and the last approver who signed the calibration."""
    return {s.meaning: s.signer for s in calibration.signatures.select_related("signer")}


def _administrative_data(root, certificate, calibration, sections, links) -> None:
    instrument = calibration.instrument
    customer = instrument.customer
    admin = _el(root, "dcc:administrativeData")

    software = _el(_el(admin, "dcc:dccSoftware"), "dcc:software")
    _neutral(software, "dcc:name", "LIMS")
    _el(software, "dcc:release", _software_release())
    _el(software, "dcc:type", "application")

    core = _el(admin, "dcc:coreData")
    _el(core, "dcc:countryCodeISO3166_1", "VN")
    _el(core, "dcc:usedLangCodeISO639_1", "vi")
    _el(core, "dcc:usedLangCodeISO639_1", "en")
    _el(core, "dcc:mandatoryLangCodeISO639_1", "vi")
    _el(core, "dcc:uniqueIdentifier", certificate.number)
    _el(core, "dcc:receiptDate", calibration.received_on.isoformat())
    _el(core, "dcc:beginPerformanceDate", calibration.performed_on.isoformat())
    _el(core, "dcc:endPerformanceDate", calibration.performed_on.isoformat())
    _el(core, "dcc:performanceLocation", "laboratory")
    _el(core, "dcc:issueDate", timezone.localdate(certificate.issued_at).isoformat())
    correction = replacement_of(calibration)
    if correction is not None:  # 7.8.8: the certificate this one amends or substitutes
        replaced = _el(core, "dcc:reportAmendedSubstituted")
        _el(
            replaced,
            "dcc:typeOfChange",
            "amended" if correction.kind == RevisionKind.AMENDMENT else "substituted",
        )
        _el(replaced, "dcc:replacedUniqueIdentifier", correction.replaced.number)

    item = _el(_el(admin, "dcc:items"), "dcc:item")
    _text(item, "dcc:name", instrument.name)
    if instrument.manufacturer:
        _neutral(_el(item, "dcc:manufacturer"), "dcc:name", instrument.manufacturer)
    if instrument.model:
        _el(item, "dcc:model", instrument.model)
    identifications = _el(item, "dcc:identifications")
    _identification(
        identifications, "manufacturer", instrument.serial_number, "Số sêri", "Serial number"
    )
    if instrument.customer_asset_id:
        _identification(
            identifications,
            "customer",
            instrument.customer_asset_id,
            "Mã số của khách hàng",
            "Customer's ID",
        )
    quantities = _el(item, "dcc:itemQuantities")
    if instrument.measuring_range:
        measuring_range = _el(quantities, "dcc:itemQuantity")
        _text(measuring_range, "dcc:name", "Phạm vi đo", "Measuring range")
        _neutral(measuring_range, "dcc:noQuantity", instrument.measuring_range)
    resolution = _el(quantities, "dcc:itemQuantity")
    _text(resolution, "dcc:name", "Độ phân giải", "Resolution")
    _real(resolution, instrument.resolution.normalize(), instrument.unit)

    lab = _el(admin, "dcc:calibrationLaboratory")
    if settings.LAB_ACCREDITATION:
        _el(lab, "dcc:calibrationLaboratoryCode", settings.LAB_ACCREDITATION)
    contact = _el(lab, "dcc:contact")
    _text(contact, "dcc:name", settings.LAB_NAME_VI, settings.LAB_NAME_EN)
    location = _el(contact, "dcc:location")
    _neutral(location, "dcc:further", settings.LAB_ADDRESS)
    _el(location, "dcc:countryCode", "VN")

    persons = _el(admin, "dcc:respPersons")
    signers = _signers(calibration)
    for meaning, role, vi, en in (
        ("reviewed", "reviewer", "Người xem xét", "Reviewed by"),
        ("approved", "approver", "Người phê duyệt", "Approved by"),
    ):
        signer = signers.get(meaning)
        if signer is None:
            raise DccExportError(
                _("The calibration of %(number)s has no “%(meaning)s” signature.")
                % {"number": certificate.number, "meaning": meaning}
            )
        person = _el(persons, "dcc:respPerson")
        _neutral(_el(person, "dcc:person"), "dcc:name", str(signer))
        _text(person, "dcc:description", vi, en)
        _el(person, "dcc:role", role)
        _el(person, "dcc:mainSigner", "true" if meaning == "approved" else "false")

    buyer = _el(admin, "dcc:customer")
    _text(buyer, "dcc:name", customer.name)
    if customer.contact_email:
        _el(buyer, "dcc:eMail", customer.contact_email)
    if customer.contact_phone:
        _el(buyer, "dcc:phone", customer.contact_phone)
    location = _el(buyer, "dcc:location")
    _neutral(location, "dcc:further", customer.address)
    _el(location, "dcc:countryCode", "VN")

    statements = _el(admin, "dcc:statements")
    traceability = statement(links)
    _statement(statements, traceability["vi"], traceability["en"], "basic_traceability")
    _statement(statements, *RELATES_ONLY)
    _statement(statements, *ADJUSTMENT_WORDS[calibration.adjustment])
    _statement(statements, *UNCERTAINTY, "basic_uncertainty")
    if any(not p.result.get("in_scope", True) for s in sections for p in s["points"]):
        _statement(statements, *OUTSIDE_SCOPE)
    for vi, en, statuses in _decision_rules(sections):
        _statement(statements, vi, en, "basic_conformity", tuple(statuses))


def _measuring_equipments(parent, links) -> None:
    if not links:
        return
    equipments = _el(parent, "dcc:measuringEquipments")
    for link in links:
        standard = link.standard
        equipment = _el(equipments, "dcc:measuringEquipment", refType="basic_normalUsed")
        _text(equipment, "dcc:name", standard.name)
        if link.certificate is not None:
            issued = link.certificate
            _text(
                equipment,
                "dcc:description",
                f"GCN số {issued.certificate_number} ({issued.provider.short_name})",
                f"Certificate No. {issued.certificate_number} ({issued.provider.short_name})",
            )
        if standard.manufacturer:
            _neutral(_el(equipment, "dcc:manufacturer"), "dcc:name", standard.manufacturer)
        if standard.model:
            _el(equipment, "dcc:model", standard.model)
        identifications = _el(equipment, "dcc:identifications")
        _identification(
            identifications,
            "calibrationLaboratory",
            standard.asset_number,
            "Mã tài sản",
            "Asset number",
        )
        if standard.serial_number:
            _identification(
                identifications, "manufacturer", standard.serial_number, "Số sêri", "Serial number"
            )


def _condition(parent, ref_type: str, vi: str, en: str, value, unit: str) -> None:
    condition = _el(parent, "dcc:influenceCondition", refType=ref_type)
    _text(condition, "dcc:name", vi, en)
    _quantity(_el(condition, "dcc:data"), ref_type, vi, en, value, unit)


def _point(data, point) -> None:
    result = point.result
    unit = result["unit"]
    row = _el(data, "dcc:list")
    _text(row, "dcc:name", f"Điểm {point.position}", f"Point {point.position}")
    _quantity(
        row, "basic_referenceValue", "Giá trị chuẩn", "Reference value", result["reference"], unit
    )
    _quantity(
        row,
        "basic_measuredValue",
        "Giá trị chỉ thị trung bình",
        "Mean indication",
        result["mean"],
        unit,
    )
    error = _quantity(
        row,
        "basic_measurementError",
        "Sai số",
        "Error",
        result["reported_error"],
        unit,
        U=result["reported_U"],
        k=result["reported_k"],
        p=result["coverage"],
    )
    decision = result.get("decision")
    outside = not result.get("in_scope", True)
    if not decision and not outside:
        return
    meta = _el(error, "dcc:measurementMetaData")
    if decision:
        conformity = _el(meta, "dcc:metaData", refType="basic_conformity")
        _text(conformity, "dcc:declaration", result["statement_vi"], result["statement_en"])
        _el(conformity, "dcc:conformity", _conformity(decision))
        if result.get("tolerance"):
            limits = _el(conformity, "dcc:data")
            tolerance = Decimal(number(result["tolerance"]))
            _quantity(
                limits,
                "basic_acceptanceLimitLower",
                "Giới hạn dưới",
                "Lower limit",
                -tolerance,
                unit,
            )
            _quantity(
                limits,
                "basic_acceptanceLimitUpper",
                "Giới hạn trên",
                "Upper limit",
                tolerance,
                unit,
            )
    if outside:
        _text(_el(meta, "dcc:metaData"), "dcc:declaration", *OUTSIDE_SCOPE)


def _measurement_results(root, calibration, sections, links) -> None:
    procedure = calibration.procedure
    measurement = _el(_el(root, "dcc:measurementResults"), "dcc:measurementResult")
    _text(
        measurement,
        "dcc:name",
        f"{procedure.code} {procedure.title_vi}",
        f"{procedure.code} {procedure.title_en}",
    )
    method = _el(_el(measurement, "dcc:usedMethods"), "dcc:usedMethod")
    method.set("refType", "basic_calibrationMethod")
    _text(
        method,
        "dcc:name",
        f"{procedure.code} {procedure.title_vi}",
        f"{procedure.code} {procedure.title_en}",
    )
    _text(
        method, "dcc:description", f"Phiên bản {procedure.version}", f"Version {procedure.version}"
    )
    _el(method, "dcc:reference", f"{procedure.code} v{procedure.version}")
    _measuring_equipments(measurement, links)

    conditions = _el(measurement, "dcc:influenceConditions")
    _condition(
        conditions, "basic_temperature", "Nhiệt độ", "Temperature", calibration.temperature, "°C"
    )
    _condition(
        conditions,
        "basic_humidityRelative",
        "Độ ẩm tương đối",
        "Relative humidity",
        calibration.humidity,
        "%",
    )

    results = _el(measurement, "dcc:results")
    adjusted = calibration.adjustment == "adjusted"
    for section in sections:
        result = _el(results, "dcc:result")
        vi, en = (
            f"Kết quả hiệu chuẩn, {section['range'].name}",
            f"Calibration results, {section['range'].name}",
        )
        if adjusted:
            phase_vi, phase_en = PHASE_WORDS[section["phase"]]
            vi, en = f"{vi}, {phase_vi.lower()}", f"{en}, {phase_en.lower()}"
        _text(result, "dcc:name", vi, en)
        data = _el(result, "dcc:data")
        for point in section["points"]:
            _point(data, point)


def dcc_xml(certificate) -> bytes:
    """The certificate as DCC 3.3.0 XML (UTF-8), valid against the bundled schema.

    Raises :class:`DccExportError` for a unit without a D-SI equivalent, a figure that is not a
    number, or (never expected) a document the schema refuses.
    """
    calibration = certificate.calibration
    sections = _sections(calibration)
    links = chain_for(calibration)

    root = ET.Element(f"{{{DCC}}}digitalCalibrationCertificate")
    root.set("schemaVersion", SCHEMA_VERSION)
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    _administrative_data(root, certificate, calibration, sections, links)
    _measurement_results(root, calibration, sections, links)
    ET.indent(root)
    data = ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"

    problems = validate(data)
    if problems:
        raise DccExportError(
            _("The DCC of %(number)s does not validate: %(problems)s")
            % {"number": certificate.number, "problems": "; ".join(problems)}
        )
    return data


def dcc_of(certificate) -> bytes:
    """The certificate's DCC: the bytes stored and embedded in its PDF at issue, or, for a
    certificate issued before DCCs were embedded, the XML written now from its frozen data."""
    if certificate.dcc is not None:
        return bytes(certificate.dcc)
    return dcc_xml(certificate)
