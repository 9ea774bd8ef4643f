"""Read an incoming Digital Calibration Certificate (PTB DCC 3.3.0) into frozen dataclasses.

``read(data)`` takes the uploaded bytes and either returns an :class:`IncomingDcc` or raises
:class:`~dcc.errors.DccError` with a ``code``:

======================= ===========================================================
``too_large``           larger than ``max_bytes`` (32 MiB by default)
``not_xml``             not well-formed XML (a PDF, a scan, a truncated upload)
``unsafe``              a DOCTYPE/DTD, entity declarations or absurd nesting: refused unread
``not_dcc``             XML whose root is not ``dcc:digitalCalibrationCertificate``
``unsupported_version`` a DCC whose ``schemaVersion`` is not 3.3.0
``invalid``             fails the DCC 3.3.0 schema; ``messages`` say where and why
``inconsistent``        valid, but the lists of one quantity disagree in length
``no_results``          valid, but no numeric result to read
======================= ===========================================================

Steps: safe parse (:mod:`dcc.safe_xml`), root and version check, validation against the bundled
XSD (:mod:`dcc.xsd`), then extraction. Nothing is fetched from the network; no Django.

What is read, and the heuristics
--------------------------------

- **Dates.** ``calibrated_on`` is ``dcc:beginPerformanceDate``, the first day of the
  measurements: a recalibration interval counted from it never ends later than one counted from
  ``dcc:endPerformanceDate`` (``performance_end``), so a due date derived from it is on the safe
  side. Both are kept, with ``receipt_date`` and ``issued_on`` (``dcc:issueDate``, optional in
  3.3.0). A date with a time zone (``2026-03-09+07:00``) is read as its calendar date.
- **Results** come from ``dcc:measurementResults/dcc:measurementResult/dcc:results/dcc:result/
  dcc:data``: every ``dcc:quantity`` directly in that ``dcc:data`` or in a ``dcc:list`` under it
  (lists nest). Quantities inside a quantity's ``dcc:measurementMetaData`` (calibration points,
  acceptance limits) or ``dcc:influenceConditions`` are not results. Influence conditions of the
  measurement results are read the same way into ``conditions``.
- **Numbers**: ``si:real``, ``si:constant``, ``si:realListXMLList`` (one :class:`Result` per
  element) and ``si:hybrid`` (its first alternative in D-SI units); see :mod:`dcc.dsi`. Other
  D-SI elements (``si:complex``, ``si:list``, ``si:realList``...) are named in ``unsupported``
  rather than read; ``dcc:noQuantity`` and ``dcc:charsXMLList`` are text and are skipped. A
  value written ``NaN`` is skipped and named in ``unsupported``.
- **Nominal values.** Among the quantities of one ``dcc:data`` or one ``dcc:list`` (the columns
  of one table), a quantity is the nominal column when one of its refTypes ends in
  ``nominalValue`` (PTB's ``basic_nominalValue``) or when one of its names is exactly one of
  :data:`NOMINAL_NAMES` ("Nominal value", "Nennwert", "Giá trị danh định"..., compared
  case-insensitively after Unicode NFC). Its values become ``nominal`` (and ``nominal_unit``) of
  every other quantity of the table, paired by index; a single nominal value applies to every
  row; a nominal column of another length is not paired (``nominal`` stays None: never a guess).
  The nominal column is not a result itself, unless it is the only quantity of its table. Names
  are matched exactly, not by substring, so "Deviation from nominal value" is never taken for
  the nominal column.
- **Label**: the D-SI label (``si:label``, ``si:labelXMLList``) when given, otherwise the nominal
  value and its plain unit (``"500 g"``), otherwise ``""``.
- **Conformity**: ``dcc:statements/dcc:statement`` with ``dcc:conformity`` (or
  ``dcc:conformityXMLList``) become :class:`ConformityStatement`; a quantity's own
  ``dcc:measurementMetaData/dcc:metaData/dcc:conformity(XMLList)`` goes to each result's
  ``conformity`` (one entry for all values, or one per value). Statuses are PTB's words:
  ``pass``, ``fail``, ``conditionalPass``, ``conditionalFail``, ``noPass``, ``noFail``.
- **Serial number** of an item: the identification whose name reads "serial", "Serien",
  "Số sêri", "Số seri" or "Số máy", else the first one issued by the manufacturer, else ``""``.
- **Names** of everything are kept in every language (``names``: ``{lang: text}``) and one is
  picked for ``name``: Vietnamese, then English, then the first given (:func:`dcc.text.preferred`).
- The XML signature (``ds:Signature``) is noted in ``has_signature`` but **not verified**.
"""

import hashlib
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from dcc.dsi import Mismatch, Row, Unsupported, rows
from dcc.errors import DccError
from dcc.safe_xml import MAX_BYTES, parse
from dcc.text import LANGUAGES, preferred, texts
from dcc.units import plain_unit
from dcc.xsd import DCC, DS, SCHEMA_VERSION, SI, schema_messages

NOMINAL_NAMES = frozenset(
    unicodedata.normalize("NFC", name).casefold()
    for name in (
        "Nominal",
        "Nominal value",
        "Nominal values",
        "Nominal mass",
        "Nennwert",
        "Nennmasse",
        "Valeur nominale",
        "Giá trị danh định",
        "Danh định",
        "Khối lượng danh định",
    )
)
_SERIAL = re.compile(r"serial|serien|sêri|số seri|số máy")


@dataclass(frozen=True)
class Identification:
    """An identification of the DCC or of an item: an order number, a serial number..."""

    issuer: str  # manufacturer | calibrationLaboratory | customer | owner | other
    value: str
    name: str = ""
    names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Item:
    """A calibrated item (``dcc:item``), or a measuring equipment the laboratory used."""

    name: str
    names: Mapping[str, str] = field(default_factory=dict)
    manufacturer: str = ""
    model: str = ""
    identifications: tuple[Identification, ...] = ()
    ref_type: str = ""

    @property
    def serial_number(self) -> str:
        for identification in self.identifications:
            for name in identification.names.values():
                if _SERIAL.search(unicodedata.normalize("NFC", name).casefold()):
                    return identification.value
        return next((i.value for i in self.identifications if i.issuer == "manufacturer"), "")


@dataclass(frozen=True)
class Contact:
    """The customer, or the contact part of the calibration laboratory."""

    name: str
    names: Mapping[str, str] = field(default_factory=dict)
    email: str = ""
    phone: str = ""
    street: str = ""
    street_no: str = ""
    post_code: str = ""
    city: str = ""
    country_code: str = ""


@dataclass(frozen=True)
class Laboratory(Contact):
    """The calibration laboratory; ``code`` is its ``dcc:calibrationLaboratoryCode``."""

    code: str = ""  # e.g. the accreditation number, "VILAS 002"


@dataclass(frozen=True)
class RespPerson:
    name: str
    names: Mapping[str, str] = field(default_factory=dict)
    role: str = ""
    main_signer: bool = False


@dataclass(frozen=True)
class Method:
    """A method the laboratory used (``dcc:usedMethod``) and the documents it names."""

    name: str
    names: Mapping[str, str] = field(default_factory=dict)
    norms: tuple[str, ...] = ()
    ref_type: str = ""


@dataclass(frozen=True)
class ConformityStatement:
    """A ``dcc:statement`` with a conformity status (``pass``, ``fail``...)."""

    status: str  # several statuses (a dcc:conformityXMLList) are joined by spaces
    declaration: str = ""
    declarations: Mapping[str, str] = field(default_factory=dict)
    norms: tuple[str, ...] = ()
    ref_type: str = ""


@dataclass(frozen=True)
class Result:
    r"""One value of a quantity: a row of a result table, or a single ``si:real``.

    ``name`` is the quantity's name, or else its list's, or else its result's. ``unit`` is the
    D-SI string (``\gram``); :attr:`plain_unit` the lab's symbol (``g``). Every number is the
    ``Decimal`` of the digits written in the DCC; ``None`` where the DCC gives none.
    """

    name: str
    value: Decimal
    unit: str
    expanded_uncertainty: Decimal | None = None
    coverage_factor: Decimal | None = None
    coverage_probability: Decimal | None = None
    nominal: Decimal | None = None
    ref_type: str = ""
    label: str = ""
    names: Mapping[str, str] = field(default_factory=dict)
    nominal_unit: str = ""
    standard_uncertainty: Decimal | None = None
    conformity: str = ""
    group: str = ""  # name of the dcc:result (or influence condition) it belongs to
    index: int = 0  # position in its list, from 0

    @property
    def plain_unit(self) -> str:
        return plain_unit(self.unit)


@dataclass(frozen=True)
class IncomingDcc:
    """What an incoming DCC says, as read by :func:`read`."""

    sha256: str  # of the bytes as uploaded
    schema_version: str
    certificate_number: str  # dcc:uniqueIdentifier
    calibrated_on: date  # = performance_begin (see the module docstring)
    performance_begin: date
    performance_end: date
    issued_on: date | None
    receipt_date: date | None
    performance_location: str  # laboratory | customer | laboratoryBranch | ...
    country_code: str
    languages: tuple[str, ...]
    mandatory_languages: tuple[str, ...]
    laboratory: Laboratory
    customer: Contact
    items: tuple[Item, ...]
    resp_persons: tuple[RespPerson, ...]
    results: tuple[Result, ...]
    identifications: tuple[Identification, ...] = ()
    replaces: str = ""  # dcc:reportAmendedSubstituted/dcc:replacedUniqueIdentifier
    change: str = ""  # amended | substituted
    conformity: tuple[ConformityStatement, ...] = ()
    conditions: tuple[Result, ...] = ()
    methods: tuple[Method, ...] = ()
    equipment: tuple[Item, ...] = ()
    unsupported: tuple[str, ...] = ()
    has_signature: bool = False  # a ds:Signature is present; it is NOT verified


def is_nominal(ref_type: str, names: Mapping[str, str]) -> bool:
    """Whether a quantity is the nominal column of its table (see the module docstring).

    >>> is_nominal("basic_nominalValue", {})
    True
    >>> is_nominal("", {"vi": "Giá trị danh định", "en": "Nominal value"})
    True
    >>> is_nominal("basic_measurementError", {"en": "Deviation from nominal value"})
    False
    """
    if any(token.casefold().endswith("nominalvalue") for token in ref_type.split()):
        return True
    return any(
        unicodedata.normalize("NFC", " ".join(name.split())).casefold() in NOMINAL_NAMES
        for name in names.values()
    )


# --- extraction -------------------------------------------------------------------------------


def _d(path: str) -> str:
    return "/".join(f"{{{DCC}}}{tag}" for tag in path.split("/"))


def _own(element: ET.Element) -> str:
    return " ".join((element.text or "").split())


def _text(element: ET.Element | None, path: str) -> str:
    found = element.find(_d(path)) if element is not None else None
    return _own(found) if found is not None else ""


def _date(element: ET.Element, path: str) -> date | None:
    text = _text(element, path)
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise DccError("invalid", [f"dcc:{path}: {text!r} is not a usable date"]) from None


class _Reader:
    def __init__(self, languages: Sequence[str]) -> None:
        self.languages = languages
        self.unsupported: list[str] = []

    def names(self, element: ET.Element | None, path: str = "name") -> tuple[str, dict[str, str]]:
        found = element.find(_d(path)) if element is not None else None
        names = texts(found)
        return preferred(names, self.languages), names

    def identifications(self, element: ET.Element | None) -> tuple[Identification, ...]:
        if element is None:
            return ()
        found = []
        for identification in element.iterfind(_d("identifications/identification")):
            name, names = self.names(identification)
            found.append(
                Identification(
                    issuer=_text(identification, "issuer"),
                    value=_text(identification, "value"),
                    name=name,
                    names=names,
                )
            )
        return tuple(found)

    def item(self, element: ET.Element) -> Item:
        name, names = self.names(element)
        return Item(
            name=name,
            names=names,
            manufacturer=self.names(element, "manufacturer/name")[0],
            model=_text(element, "model"),
            identifications=self.identifications(element),
            ref_type=element.get("refType", ""),
        )

    def contact(
        self, element: ET.Element | None, cls: type[Contact] = Contact, **extra: str
    ) -> Contact:
        name, names = self.names(element)
        return cls(
            name=name,
            names=names,
            email=_text(element, "eMail"),
            phone=_text(element, "phone"),
            street=_text(element, "location/street"),
            street_no=_text(element, "location/streetNo"),
            post_code=_text(element, "location/postCode"),
            city=_text(element, "location/city"),
            country_code=_text(element, "location/countryCode"),
            **extra,
        )

    def conformity_statements(
        self, statements: ET.Element | None
    ) -> tuple[ConformityStatement, ...]:
        found = []
        for statement in statements.iterfind(_d("statement")) if statements is not None else ():
            status = _text(statement, "conformity") or _text(statement, "conformityXMLList")
            if not status:
                continue
            declaration, declarations = self.names(statement, "declaration")
            found.append(
                ConformityStatement(
                    status=status,
                    declaration=declaration,
                    declarations=declarations,
                    norms=tuple(_own(n) for n in statement.iterfind(_d("norm"))),
                    ref_type=statement.get("refType", ""),
                )
            )
        return tuple(found)

    def method(self, element: ET.Element) -> Method:
        name, names = self.names(element)
        return Method(
            name=name,
            names=names,
            norms=tuple(_own(n) for n in element.iterfind(_d("norm"))),
            ref_type=element.get("refType", ""),
        )

    # results

    def data(self, container: ET.Element, group: str, table: str, out: list[Result]) -> None:
        """The quantities of a dcc:data or dcc:list, then those of the lists inside it."""
        self.table(container.findall(_d("quantity")), group, table, out)
        for inner in container.iterfind(_d("list")):
            self.data(inner, group, self.names(inner)[0] or table, out)

    def table(
        self, quantities: list[ET.Element], group: str, table: str, out: list[Result]
    ) -> None:
        """One table: read its columns, take out the nominal column, pair it with the others."""
        columns: list[tuple[ET.Element, str, dict[str, str], list[Row]]] = []
        for quantity in quantities:
            name, names = self.names(quantity)
            name = name or table or group
            dsi = next((c for c in quantity if c.tag.startswith(f"{{{SI}}}")), None)
            if dsi is None:
                continue  # dcc:noQuantity, dcc:charsXMLList: text, not numbers
            try:
                columns.append((quantity, name, names, rows(dsi)))
            except Unsupported as unsupported:
                self.unsupported.append(f"{name or '(unnamed quantity)'}: {unsupported}")
            except Mismatch as mismatch:
                raise DccError("inconsistent", [f"{name}: {mismatch}"]) from None

        nominal_columns = [c for c in columns if is_nominal(c[0].get("refType", ""), c[2])]
        nominal: list[Row] | None = None
        if nominal_columns and len(nominal_columns) < len(columns):
            nominal = nominal_columns[0][3]
            consumed = {id(c[0]) for c in nominal_columns}
            columns = [c for c in columns if id(c[0]) not in consumed]

        for quantity, name, names, values in columns:
            statuses = self.quantity_conformity(quantity, name, len(values))
            for index, row in enumerate(values):
                if row.value.is_nan():
                    self.unsupported.append(f"{name} [{index + 1}]: the value is NaN")
                    continue
                paired = _pair(nominal, index, len(values))
                nominal_value = paired.value if paired and not paired.value.is_nan() else None
                label = row.label
                if not label and nominal_value is not None:
                    label = f"{nominal_value} {plain_unit(paired.unit)}".strip()
                out.append(
                    Result(
                        name=name,
                        value=row.value,
                        unit=row.unit,
                        expanded_uncertainty=row.expanded_uncertainty,
                        coverage_factor=row.coverage_factor,
                        coverage_probability=row.coverage_probability,
                        nominal=nominal_value,
                        ref_type=quantity.get("refType", ""),
                        label=label,
                        names=names,
                        nominal_unit=paired.unit if nominal_value is not None else "",
                        standard_uncertainty=row.standard_uncertainty,
                        conformity=statuses[index],
                        group=group,
                        index=index,
                    )
                )

    def quantity_conformity(self, quantity: ET.Element, name: str, n: int) -> list[str]:
        for meta in quantity.iterfind(_d("measurementMetaData/metaData")):
            statuses = (_text(meta, "conformity") or _text(meta, "conformityXMLList")).split()
            if len(statuses) == 1:
                return statuses * n
            if len(statuses) == n:
                return statuses
            if statuses:
                raise DccError(
                    "inconsistent", [f"{name}: {n} values but {len(statuses)} conformity statuses"]
                )
        return [""] * n


def _pair(nominal: list[Row] | None, index: int, n: int) -> Row | None:
    if not nominal:
        return None
    if len(nominal) == n:
        return nominal[index]
    return nominal[0] if len(nominal) == 1 else None


def read(
    data: bytes, *, languages: Sequence[str] = LANGUAGES, max_bytes: int = MAX_BYTES
) -> IncomingDcc:
    """Validate and read an incoming DCC; raise :class:`DccError` when it cannot be accepted.

    ``languages`` orders the languages in which ``name`` fields are picked (``names`` keep all).
    """
    parsed = parse(data, max_bytes=max_bytes)
    root = parsed.root
    if root.tag != f"{{{DCC}}}digitalCalibrationCertificate":
        raise DccError("not_dcc", [f"the root element is {root.tag}, not a DCC"])
    version = root.get("schemaVersion", "")
    if version != SCHEMA_VERSION:
        raise DccError(
            "unsupported_version",
            [f"the DCC has schemaVersion {version!r}; this reader accepts {SCHEMA_VERSION}"],
        )
    messages = schema_messages(parsed)
    if messages:
        raise DccError("invalid", messages)

    reader = _Reader(languages)
    admin = root.find(_d("administrativeData"))
    core = admin.find(_d("coreData"))
    lab = admin.find(_d("calibrationLaboratory"))
    measurements = root.find(_d("measurementResults"))
    measurement_results = measurements.findall(_d("measurementResult"))
    both_levels = [measurements, *measurement_results]

    results: list[Result] = []
    for measurement in measurement_results:
        for result in measurement.iterfind(_d("results/result")):
            name = reader.names(result)[0]
            reader.data(result.find(_d("data")), name, "", results)
    conditions: list[Result] = []
    for level in both_levels:
        for condition in level.iterfind(_d("influenceConditions/influenceCondition")):
            name = reader.names(condition)[0]
            reader.data(condition.find(_d("data")), name, "", conditions)
    if not results:
        raise DccError(
            "no_results",
            [f"not read: {what}" for what in reader.unsupported]
            or ["no si:real, si:realListXMLList or si:hybrid in dcc:measurementResults"],
        )

    begin = _date(core, "beginPerformanceDate")
    end = _date(core, "endPerformanceDate")
    if begin is None or end is None:  # required by the schema: never, once validated
        raise DccError("invalid", ["dcc:beginPerformanceDate and dcc:endPerformanceDate"])
    return IncomingDcc(
        sha256=hashlib.sha256(data).hexdigest(),
        schema_version=version,
        certificate_number=_text(core, "uniqueIdentifier"),
        calibrated_on=begin,
        performance_begin=begin,
        performance_end=end,
        issued_on=_date(core, "issueDate"),
        receipt_date=_date(core, "receiptDate"),
        performance_location=_text(core, "performanceLocation"),
        country_code=_text(core, "countryCodeISO3166_1"),
        languages=tuple(_own(e) for e in core.iterfind(_d("usedLangCodeISO639_1"))),
        mandatory_languages=tuple(_own(e) for e in core.iterfind(_d("mandatoryLangCodeISO639_1"))),
        laboratory=reader.contact(
            lab.find(_d("contact")), Laboratory, code=_text(lab, "calibrationLaboratoryCode")
        ),
        customer=reader.contact(admin.find(_d("customer"))),
        items=tuple(reader.item(e) for e in admin.iterfind(_d("items/item"))),
        resp_persons=tuple(
            RespPerson(
                *reader.names(person, "person/name"),
                role=_text(person, "role"),
                main_signer=_text(person, "mainSigner") in ("true", "1"),
            )
            for person in admin.iterfind(_d("respPersons/respPerson"))
        ),
        results=tuple(results),
        identifications=reader.identifications(core),
        replaces=_text(core, "reportAmendedSubstituted/replacedUniqueIdentifier"),
        change=_text(core, "reportAmendedSubstituted/typeOfChange"),
        conformity=reader.conformity_statements(admin.find(_d("statements"))),
        conditions=tuple(conditions),
        methods=tuple(
            reader.method(m)
            for level in both_levels
            for m in level.iterfind(_d("usedMethods/usedMethod"))
        ),
        equipment=tuple(
            reader.item(e)
            for level in both_levels
            for e in level.iterfind(_d("measuringEquipments/measuringEquipment"))
        ),
        unsupported=tuple(reader.unsupported),
        has_signature=root.find(f"{{{DS}}}Signature") is not None,
    )
