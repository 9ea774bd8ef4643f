"""The issued PDF is PDF/A-3b with the certificate's DCC inside, and stays the same bytes.

veraPDF is not available here; these tests read the structure PDF/A-3 asks for with pypdf: the
XMP identification (part 3, conformance B), the sRGB output intent, every font embedded, no
encryption or JavaScript, and the DCC as an associated file of the document (/AF) whose bytes
are the DCC stored and served on its own.
"""

import hashlib
import io
import re

import pypdf
import pytest

from calibration.models import Calibration, Instrument, State
from calibration.workflow import calibration_approve, calibration_review, calibration_submit
from certificates.dcc import dcc_of, dcc_xml
from certificates.models import Certificate, Counter
from certificates.services import DccRefused, certificate_issue
from dcc.read import read
from dcc.xsd import validate
from tests.conftest import PASSWORD, login


def reader(certificate) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(bytes(certificate.pdf)))


def test_the_pdf_declares_pdf_a_3b_with_an_srgb_output_intent(issued):
    pdf = reader(issued)
    assert pdf.pdf_header == "%PDF-1.7"
    identification = pdf.xmp_metadata.rdf_root.toxml()
    assert 'pdfaid:part="3"' in identification
    assert 'pdfaid:conformance="B"' in identification
    root = pdf.trailer["/Root"]
    intent = root["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    assert "sRGB" in intent["/OutputConditionIdentifier"]
    assert intent["/DestOutputProfile"].get_object().get_data()[36:40] == b"acsp"  # an ICC profile
    assert not pdf.is_encrypted
    assert "/JavaScript" not in root.get("/Names", {})
    assert "/OpenAction" not in root


def test_every_font_is_embedded(issued):
    fonts = 0
    for page in reader(issued).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (
                font.get("/FontDescriptor")
                or (font["/DescendantFonts"][0].get_object()["/FontDescriptor"])
            )
            assert "/FontFile2" in descriptor.get_object(), font["/BaseFont"]
            fonts += 1
    assert fonts >= 2  # regular and bold, on every page


def test_the_dcc_is_embedded_as_the_documents_associated_file(issued):
    pdf = reader(issued)
    assert issued.dcc is not None
    # WeasyPrint 70 lists the one file specification twice in /AF; it is one file.
    (filespec,) = {f.idnum: f.get_object() for f in pdf.trailer["/Root"]["/AF"]}.values()
    assert filespec["/F"] == filespec["/UF"] == f"{issued.number}.xml"
    assert filespec["/AFRelationship"] == "/Alternative"
    assert "Digital Calibration Certificate" in filespec["/Desc"]
    stream = filespec["/EF"]["/F"].get_object()
    assert stream["/Subtype"] == "/text/xml"  # the MIME type PDF/A-3 asks of an embedded file
    assert "/ModDate" in stream["/Params"]
    embedded = stream.get_data()
    assert embedded == bytes(issued.dcc)
    assert pdf.attachments == {f"{issued.number}.xml": [embedded]}


def test_the_embedded_dcc_validates_and_reads_back_the_certificate(issued):
    (embedded,) = reader(issued).attachments[f"{issued.number}.xml"]
    assert validate(embedded) == []
    incoming = read(embedded)
    assert incoming.certificate_number == issued.number
    # Written from the same frozen data, the DCC asked for later is the one embedded.
    assert dcc_xml(issued) == embedded


def test_downloads_give_the_stored_bytes_every_time(client, issued, rita):
    login(client, rita)
    first = client.get(f"/certificates/{issued.pk}/pdf/")
    second = client.get(f"/certificates/{issued.pk}/pdf/")
    assert first.content == second.content == bytes(issued.pdf)
    assert hashlib.sha256(first.content).hexdigest() == issued.sha256 == first["X-Content-SHA256"]
    dcc = client.get(f"/certificates/{issued.pk}/dcc/")
    assert dcc.status_code == 200
    assert dcc.content == bytes(issued.dcc)


def test_a_certificate_issued_before_dccs_were_embedded_writes_its_dcc_when_asked(issued):
    older = Certificate.objects.get(pk=issued.pk)
    older.dcc = None  # as the upgrade leaves the certificates issued before it
    assert dcc_of(older) == dcc_xml(older) == bytes(issued.dcc)


@pytest.mark.django_db
def test_a_unit_without_d_si_stops_the_issue_and_saves_nothing(draft, alice, rita):
    Instrument.objects.filter(pk=draft.instrument_id).update(unit="furlong")
    draft.refresh_from_db()
    calibration_submit(calibration=draft, by=alice)
    calibration_review(calibration=draft, by=rita, password=PASSWORD)
    calibration_approve(calibration=draft, by=rita, password=PASSWORD)
    counters = list(Counter.objects.values_list("kind", "year", "last"))
    with pytest.raises(DccRefused, match="furlong") as refusal:
        certificate_issue(calibration=draft, by=rita)
    assert re.search("cannot be issued", str(refusal.value))
    assert not Certificate.objects.exists()
    assert Calibration.objects.get(pk=draft.pk).state == State.APPROVED
    assert list(Counter.objects.values_list("kind", "year", "last")) == counters
