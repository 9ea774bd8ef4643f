"""The OpenAPI schema at /api/schema/ tells the truth, and /api/docs/ works off the lab network."""

import json
import re

import pytest
import yaml
from django.contrib.staticfiles import finders

from tests.conftest import login
from tests.lims.test_access import build_lab, kept_for_the_module

pytestmark = pytest.mark.django_db

GET_PATHS = [
    "/api/customers/",
    "/api/customers/{id}/",
    "/api/standards/",
    "/api/standards/{id}/",
    "/api/standard-calibrations/",
    "/api/standard-calibrations/{id}/",
    "/api/instruments/",
    "/api/instruments/{id}/",
    "/api/calibrations/",
    "/api/calibrations/{id}/",
    "/api/certificates/",
    "/api/certificates/{id}/",
    "/api/jobs/",
    "/api/jobs/{id}/",
]
# The only writes: the standards register's, through its services (tests/api/test_standards_api.py,
# which also reads /api/checks/ back against the schema: the lab here has no check to read), and
# a calibration's readings (tests/api/test_readings_api.py).
WRITES = {
    "/api/standards/": {"post"},
    "/api/standards/{id}/": {"patch"},
    "/api/standards/{id}/status/": {"post"},
    "/api/standard-calibrations/": {"post"},
    "/api/checks/": {"post"},
    "/api/calibrations/{id}/readings/": {"post"},
}


@pytest.fixture(scope="module")
def lab(django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        yield build_lab()


@pytest.fixture
def schema(lab, client):
    response = login(client, lab.people["adam"]).get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


PYTHON_TYPES = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "array": list,
    "object": dict,
}


def assert_matches(schema, node, value, where):
    """`value` has exactly the documented properties, recursively, with the documented types."""
    node = resolve_ref(schema, node)
    if "allOf" in node:
        (node,) = node["allOf"]  # drf-spectacular wraps a single $ref with a nullable or a note
        node = resolve_ref(schema, node)
    if value is None:
        assert node.get("nullable"), f"{where} is null but the schema does not say it may be"
        return
    if "enum" in node:
        assert value in node["enum"], f"{where}={value!r} is not one of {node['enum']}"
    kind = node.get("type")
    if kind is None:
        return
    assert isinstance(value, PYTHON_TYPES[kind]), f"{where}={value!r} is not {kind}"
    if kind == "integer":
        assert not isinstance(value, bool), where
    if kind == "object" and "properties" in node:
        assert set(value) == set(node["properties"]), where
        assert set(node.get("required", [])) <= set(value), where
        for key, sub in node["properties"].items():
            assert_matches(schema, sub, value[key], f"{where}.{key}")
    if kind == "array":
        for index, item in enumerate(value):
            assert_matches(schema, node["items"], item, f"{where}[{index}]")


def resolve_ref(schema, node):
    while "$ref" in node:
        target = schema
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_staff_get_the_schema_as_openapi_3_in_yaml(lab, client):
    response = login(client, lab.people["rita"]).get("/api/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    document = yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "LIMS API"


def test_the_schema_comes_as_json_on_request(lab, client, schema):
    login(client, lab.people["rita"])
    by_query = client.get("/api/schema/?format=json")
    by_header = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    for response in (by_query, by_header):
        assert response.status_code == 200
        assert "json" in response["Content-Type"]
        assert json.loads(response.content) == schema


@pytest.mark.parametrize("persona", ["anonymous", "carol"])
def test_anyone_may_read_the_schema_which_holds_no_data(lab, client, persona, schema):
    # drf-spectacular's SERVE_PERMISSIONS default (AllowAny): the schema is public, the data is not.
    if persona != "anonymous":
        login(client, lab.people[persona])
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert yaml.safe_load(response.content) == schema
    assert lab.certificate.number not in response.content.decode()


def test_the_schema_lists_every_endpoint_and_nothing_else(schema):
    assert sorted(schema["paths"]) == sorted(
        {*GET_PATHS, "/api/checks/", "/api/checks/{id}/", *WRITES}
    )


def test_every_endpoint_in_the_schema_only_reads_but_the_documented_writes(schema):
    for path, operations in schema["paths"].items():
        methods = {key for key in operations if key != "parameters"}
        reads = set() if path.endswith(("/status/", "/readings/")) else {"get"}
        assert methods == reads | WRITES.get(path, set()), path


def test_the_schema_documents_both_ways_to_log_in(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["cookieAuth"]["in"] == "cookie"
    assert schemes["basicAuth"]["scheme"] == "basic"


@pytest.mark.parametrize("path", GET_PATHS)
def test_every_get_path_answers_what_the_schema_documents(lab, client, schema, path):
    operation = schema["paths"][path]["get"]
    documented = operation["responses"]["200"]["content"]["application/json"]["schema"]
    login(client, lab.people["adam"])
    if "{id}" in path:
        listed = client.get(path.replace("{id}/", "")).json()["results"]
        assert listed, f"no row to read at {path}"
        urls = [path.replace("{id}", str(row["id"])) for row in listed]
    else:
        urls = [path]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_matches(schema, documented, response.json(), url)


def test_the_api_docs_load_swagger_ui_from_our_own_static_files(lab, client):
    response = login(client, lab.people["rita"]).get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()

    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(url.endswith("swagger-ui-bundle.js") for url in assets)
    assert any(url.endswith("swagger-ui.css") for url in assets)
    for url in assets:
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not among our static files"
    assert not re.search(r"https?://|//cdn|unpkg|jsdelivr", html)
    assert "/api/schema/" in html


def test_anyone_may_read_the_api_docs(lab, client):
    assert client.get("/api/docs/").status_code == 200
