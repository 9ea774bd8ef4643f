"""The procedure codes an authorisation may name, offered by the apps that own procedures.

Competence sits below calibration and must not import it; instead the calibration app registers a
source of its procedure codes from its `AppConfig.ready`:

    register_codes(lambda: Procedure.objects.values_list("code", "title_en").distinct())

A source is called each time the codes are asked for, so it always reads the current procedures.
"""

from collections.abc import Callable, Iterable

CodeSource = Callable[[], Iterable[tuple[str, str]]]

_sources: list[CodeSource] = []


def register_codes(source: CodeSource) -> CodeSource:
    """Add a source of (code, label) pairs; registering the same source twice adds it once.
    Returns the source, so it may be used as a decorator."""
    if source not in _sources:
        _sources.append(source)
    return source


def unregister_codes(source: CodeSource) -> None:
    """Remove a source registered before (tests restore the registry with this)."""
    if source in _sources:
        _sources.remove(source)


def has_sources() -> bool:
    return bool(_sources)


def known_codes() -> list[tuple[str, str]]:
    """Every code offered by the registered sources, sorted by code; the first label wins."""
    codes: dict[str, str] = {}
    for source in list(_sources):
        for code, label in source():
            codes.setdefault(str(code), str(label))
    return sorted(codes.items())
