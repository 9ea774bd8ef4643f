"""The bundled DCC 3.3.0 schema: built offline, once, and ``validate()`` for any DCC bytes."""

import doctest
import socket
from pathlib import Path

import pytest

import dcc.errors
import dcc.read
import dcc.safe_xml
import dcc.text
import dcc.units
from dcc.xsd import schema, validate

DATA = Path(__file__).resolve().parents[1] / "data" / "dcc"


def test_the_schema_is_built_once_and_shared():
    assert schema() is schema()
    assert schema().validity == "valid"
    assert schema().version == "3.3.0"


def test_the_schema_builds_and_validates_with_the_network_cut(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the DCC schema tried to use the network")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)

    fresh = schema.__wrapped__()  # not the cached one: really build it again

    assert fresh.validity == "valid"
    # the examples carry xsi:schemaLocation="https://ptb.de/dcc https://ptb.de/dcc/v3.3.0/dcc.xsd"
    assert validate((DATA / "valid.xml").read_bytes()) == []


@pytest.mark.parametrize(
    "name",
    ["valid.xml", "valid_signature.xml", "vmi-weights-e2.xml", "thermometer-single.xml"],
)
def test_valid_dccs_give_no_message(name):
    assert validate((DATA / name).read_bytes()) == []


def test_an_invalid_dcc_gives_one_message_per_error_with_line_and_path():
    messages = validate((DATA / "invalid_schema.xml").read_bytes())

    assert [m.split(": ", 2)[:2] for m in messages] == [
        [
            "line 17",
            "/dcc:digitalCalibrationCertificate/dcc:administrativeData/dcc:coreData"
            "/dcc:uniqueIdentifier",
        ],
        [
            "line 34",
            "/dcc:digitalCalibrationCertificate/dcc:administrativeData/dcc:items/dcc:item",
        ],
    ]


def test_many_errors_are_cut_to_ten_and_counted():
    # 35 lang="de" attributes, each failing the pattern [a-z]{2}
    data = (DATA / "valid.xml").read_bytes().replace(b'lang="de"', b'lang="DE"')

    messages = validate(data)

    assert len(messages) == 11
    assert all("lang" in m or "DE" in m for m in messages[:10])
    assert messages[10] == "... and 25 more errors"


def test_bytes_that_are_not_a_safe_xml_document_give_their_one_message():
    assert validate(b"%PDF-1.7") == ["line 1, column 1: unclosed token"]
    assert validate(b"<!DOCTYPE x><x/>") == ["a DOCTYPE declaration (DTD) is not allowed in a DCC"]
    assert validate(b"<html/>") == ["line 1: /html: 'html' is not an element of the schema"]


@pytest.mark.parametrize("module", [dcc.errors, dcc.read, dcc.safe_xml, dcc.text, dcc.units])
def test_the_docstring_examples_run(module):
    # pytest collects doctests only under its testpaths; dcc/ is not one of them
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)

    assert tried > 0
    assert failures == 0
