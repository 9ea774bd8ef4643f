"""Issued means frozen, in the database itself: triggers refuse to change or delete issued rows.

An issued certificate, its calibration once issued, and that calibration's points and standards
cannot be updated or deleted by any code path: the ORM, `QuerySet.update()`, raw SQL or a
database console. A correction is a new certificate (ISO/IEC 17025 clause 7.8.8).
Both SQLite and PostgreSQL answer with an integrity error naming the table.
"""

from lims import triggers

CHILDREN = ["calibration_measurementpoint", "calibration_standarduse"]

SQLITE_INSTALL = [
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
    f"""CREATE TRIGGER IF NOT EXISTS frozen_{table}_{op.lower()} BEFORE {op} ON {table}
        WHEN (SELECT state FROM calibration_calibration WHERE id = OLD.calibration_id) = 'issued'
        BEGIN SELECT RAISE(ABORT, 'frozen: data of an issued calibration cannot be changed'); END"""
    for table in CHILDREN
    for op in ("UPDATE", "DELETE")
]

SQLITE_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in [
        "frozen_certificate_update",
        "frozen_certificate_delete",
        "frozen_calibration_update",
        "frozen_calibration_delete",
    ]
    + [f"frozen_{table}_{op}" for table in CHILDREN for op in ("update", "delete")]
]

POSTGRESQL_INSTALL = [
    """CREATE OR REPLACE FUNCTION frozen_refuse() RETURNS trigger AS $$
       BEGIN
         RAISE EXCEPTION 'frozen: % of an issued record in % is refused', TG_OP, TG_TABLE_NAME
           USING ERRCODE = 'integrity_constraint_violation';
       END $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION frozen_refuse_child() RETURNS trigger AS $$
       BEGIN
         IF (SELECT state FROM calibration_calibration WHERE id = OLD.calibration_id) = 'issued' THEN
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
    f"""CREATE OR REPLACE TRIGGER frozen_{table} BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION frozen_refuse_child()"""
    for table in CHILDREN
]

POSTGRESQL_UNINSTALL = (
    [
        "DROP TRIGGER IF EXISTS frozen_certificate ON certificates_certificate",
        "DROP TRIGGER IF EXISTS frozen_calibration ON calibration_calibration",
    ]
    + [f"DROP TRIGGER IF EXISTS frozen_{table} ON {table}" for table in CHILDREN]
    + [
        "DROP FUNCTION IF EXISTS frozen_refuse_child()",
        "DROP FUNCTION IF EXISTS frozen_refuse()",
    ]
)

STATEMENTS = {
    "sqlite": (SQLITE_INSTALL, SQLITE_UNINSTALL),
    "postgresql": (POSTGRESQL_INSTALL, POSTGRESQL_UNINSTALL),
}


def install(connection) -> None:
    triggers.run(connection, STATEMENTS, install=True)


def uninstall(connection) -> None:
    triggers.run(connection, STATEMENTS, install=False)
