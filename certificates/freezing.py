"""Issued means frozen, in the database itself: triggers refuse to change or delete issued rows.

An issued certificate, its calibration once issued, and that calibration's points, standards and
signatures cannot be updated or deleted, nor rows added to them, by any code path: the ORM, `QuerySet.update()`, raw SQL or a
database console. A correction is a new certificate (ISO/IEC 17025 clause 7.8.8).
Both SQLite and PostgreSQL answer with an integrity error naming the table.

SQLite drops a table's triggers when a migration rebuilds the table; each migration of
`calibration` that alters these tables is followed by one here that installs them again
(`CREATE ... IF NOT EXISTS` / `OR REPLACE`, so installing twice is harmless).
"""

from lims import triggers

CHILDREN = ["calibration_measurementpoint", "calibration_standarduse", "calibration_signature"]
FIRST_CHILDREN = CHILDREN[:2]  # the tables migration 0003 knew


# A child row of an issued calibration: no update or delete of it (OLD), no insert into it and
# no update that moves a row into it (NEW).
SQLITE_CHILD_TRIGGERS = [
    ("update", "UPDATE", "OLD"),
    ("delete", "DELETE", "OLD"),
    ("insert", "INSERT", "NEW"),
    ("move", "UPDATE", "NEW"),
]


def child_drops(vendor: str, children: list[str]) -> list[str]:
    """The statements that remove the triggers of `children` only."""
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS frozen_{table} ON {table}" for table in children]
    return [
        f"DROP TRIGGER IF EXISTS frozen_{table}_{name}"
        for table in children
        for name, _op, _row in SQLITE_CHILD_TRIGGERS
    ]


def statements(children: list[str]) -> dict[str, tuple[list[str], list[str]]]:
    """The install and uninstall SQL per vendor, for the issued-record tables and `children`."""
    sqlite_install = [
        """CREATE TRIGGER IF NOT EXISTS frozen_certificate_update BEFORE UPDATE ON certificates_certificate
           BEGIN SELECT RAISE(ABORT, 'frozen: an issued certificate cannot be changed'); END""",
        """CREATE TRIGGER IF NOT EXISTS frozen_certificate_delete BEFORE DELETE ON certificates_certificate
           BEGIN SELECT RAISE(ABORT, 'frozen: an issued certificate cannot be deleted'); END""",
        """CREATE TRIGGER IF NOT EXISTS frozen_calibration_update BEFORE UPDATE ON calibration_calibration
           WHEN OLD.state = 'issued'
           BEGIN SELECT RAISE(ABORT, 'frozen: an issued calibration cannot be changed'); END""",
        """CREATE TRIGGER IF NOT EXISTS frozen_calibration_delete BEFORE DELETE ON calibration_calibration
           WHEN OLD.state = 'issued'
           BEGIN SELECT RAISE(ABORT, 'frozen: an issued calibration cannot be deleted'); END""",
    ] + [
        f"""CREATE TRIGGER IF NOT EXISTS frozen_{table}_{name} BEFORE {op} ON {table}
            WHEN (SELECT state FROM calibration_calibration WHERE id = {row}.calibration_id) = 'issued'
            BEGIN SELECT RAISE(ABORT, 'frozen: data of an issued calibration cannot be changed'); END"""
        for table in children
        for name, op, row in SQLITE_CHILD_TRIGGERS
    ]

    sqlite_uninstall = [
        f"DROP TRIGGER IF EXISTS {name}"
        for name in [
            "frozen_certificate_update",
            "frozen_certificate_delete",
            "frozen_calibration_update",
            "frozen_calibration_delete",
        ]
    ] + child_drops("sqlite", children)

    postgresql_install = [
        """CREATE OR REPLACE FUNCTION frozen_refuse() RETURNS trigger AS $$
           BEGIN
             RAISE EXCEPTION 'frozen: % of an issued record in % is refused', TG_OP, TG_TABLE_NAME
               USING ERRCODE = 'integrity_constraint_violation';
           END $$ LANGUAGE plpgsql""",
        """CREATE OR REPLACE FUNCTION frozen_refuse_child() RETURNS trigger AS $$
           BEGIN
             IF (TG_OP <> 'INSERT' AND
                 (SELECT state FROM calibration_calibration WHERE id = OLD.calibration_id) = 'issued')
                OR (TG_OP <> 'DELETE' AND
                 (SELECT state FROM calibration_calibration WHERE id = NEW.calibration_id) = 'issued') THEN
               RAISE EXCEPTION 'frozen: % of data of an issued calibration in % is refused', TG_OP, TG_TABLE_NAME
                 USING ERRCODE = 'integrity_constraint_violation';
             END IF;
             RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
           END $$ LANGUAGE plpgsql""",
        """CREATE OR REPLACE TRIGGER frozen_certificate BEFORE UPDATE OR DELETE ON certificates_certificate
           FOR EACH ROW EXECUTE FUNCTION frozen_refuse()""",
        """CREATE OR REPLACE TRIGGER frozen_calibration BEFORE UPDATE OR DELETE ON calibration_calibration
           FOR EACH ROW WHEN (OLD.state = 'issued') EXECUTE FUNCTION frozen_refuse()""",
    ] + [
        f"""CREATE OR REPLACE TRIGGER frozen_{table} BEFORE INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION frozen_refuse_child()"""
        for table in children
    ]

    postgresql_uninstall = (
        [
            "DROP TRIGGER IF EXISTS frozen_certificate ON certificates_certificate",
            "DROP TRIGGER IF EXISTS frozen_calibration ON calibration_calibration",
        ]
        + child_drops("postgresql", children)
        + [
            "DROP FUNCTION IF EXISTS frozen_refuse_child()",
            "DROP FUNCTION IF EXISTS frozen_refuse()",
        ]
    )

    return {
        "sqlite": (sqlite_install, sqlite_uninstall),
        "postgresql": (postgresql_install, postgresql_uninstall),
    }


def install(connection, children: list[str] = CHILDREN) -> None:
    triggers.run(connection, statements(children), install=True)


def uninstall(connection, children: list[str] = CHILDREN) -> None:
    triggers.run(connection, statements(children), install=False)


def uninstall_children(connection, children: list[str]) -> None:
    """Remove only the triggers of `children`, leaving the certificate's and calibration's."""
    drops = {vendor: ([], child_drops(vendor, children)) for vendor in ("sqlite", "postgresql")}
    triggers.run(connection, drops, install=False)


# The decisions taken on issued certificates (a replacement opened, a withdrawal) are records
# too: never updated or deleted. Their own trigger function, so that lifting the issued-record
# triggers (as tests and migrations do) leaves these alone.
DECISIONS = ["certificates_replacement", "certificates_withdrawal"]


def decision_statements() -> dict[str, tuple[list[str], list[str]]]:
    sqlite_install = [
        f"""CREATE TRIGGER IF NOT EXISTS frozen_{table}_{name} BEFORE {op} ON {table}
            BEGIN SELECT RAISE(ABORT, 'frozen: a decision on an issued certificate cannot be changed'); END"""
        for table in DECISIONS
        for name, op in (("update", "UPDATE"), ("delete", "DELETE"))
    ]
    sqlite_uninstall = [
        f"DROP TRIGGER IF EXISTS frozen_{table}_{name}"
        for table in DECISIONS
        for name in ("update", "delete")
    ]
    postgresql_install = [
        """CREATE OR REPLACE FUNCTION frozen_refuse_decision() RETURNS trigger AS $$
           BEGIN
             RAISE EXCEPTION 'frozen: % of a decision on an issued certificate in % is refused', TG_OP, TG_TABLE_NAME
               USING ERRCODE = 'integrity_constraint_violation';
           END $$ LANGUAGE plpgsql""",
    ] + [
        f"""CREATE OR REPLACE TRIGGER frozen_{table} BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION frozen_refuse_decision()"""
        for table in DECISIONS
    ]
    postgresql_uninstall = [
        f"DROP TRIGGER IF EXISTS frozen_{table} ON {table}" for table in DECISIONS
    ] + ["DROP FUNCTION IF EXISTS frozen_refuse_decision()"]
    return {
        "sqlite": (sqlite_install, sqlite_uninstall),
        "postgresql": (postgresql_install, postgresql_uninstall),
    }


def install_decisions(connection) -> None:
    triggers.run(connection, decision_statements(), install=True)


def uninstall_decisions(connection) -> None:
    triggers.run(connection, decision_statements(), install=False)
