"""Install or remove database triggers given per vendor, for the apps that freeze records."""


def run(connection, statements: dict[str, tuple[list[str], list[str]]], *, install: bool) -> None:
    """`statements` maps a vendor to its (install, uninstall) SQL lists."""
    if connection.vendor not in statements:
        raise NotImplementedError(f"no frozen-record triggers for {connection.vendor}")
    with connection.cursor() as cursor:
        for statement in statements[connection.vendor][0 if install else 1]:
            cursor.execute(statement)
