"""An incoming certificate, once recorded, is frozen in the database: triggers refuse any change.

A recorded incoming calibration of a standard and its calibrated values are what every result of
ours rests on, so no code path may alter them: the ORM, `QuerySet.update()`, raw SQL or a console.
A mistake is corrected by a new version that names the one it replaces, with the reason.
"""

from lims import triggers

TABLES = ["standards_standardcalibration", "standards_standardvalue"]

SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS frozen_{table}_{op.lower()} BEFORE {op} ON {table}
        BEGIN SELECT RAISE(ABORT, 'frozen: a recorded incoming certificate cannot be changed'); END"""
    for table in TABLES
    for op in ("UPDATE", "DELETE")
]
SQLITE_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS frozen_{table}_{op}" for table in TABLES for op in ("update", "delete")
]

POSTGRESQL_INSTALL = [
    """CREATE OR REPLACE FUNCTION frozen_incoming_refuse() RETURNS trigger AS $$
       BEGIN
         RAISE EXCEPTION 'frozen: % of a recorded incoming certificate in % is refused', TG_OP, TG_TABLE_NAME
           USING ERRCODE = 'integrity_constraint_violation';
       END $$ LANGUAGE plpgsql""",
] + [
    f"""CREATE OR REPLACE TRIGGER frozen_{table} BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION frozen_incoming_refuse()"""
    for table in TABLES
]
POSTGRESQL_UNINSTALL = [f"DROP TRIGGER IF EXISTS frozen_{table} ON {table}" for table in TABLES] + [
    "DROP FUNCTION IF EXISTS frozen_incoming_refuse()"
]

STATEMENTS = {
    "sqlite": (SQLITE_INSTALL, SQLITE_UNINSTALL),
    "postgresql": (POSTGRESQL_INSTALL, POSTGRESQL_UNINSTALL),
}


def install(connection) -> None:
    triggers.run(connection, STATEMENTS, install=True)


def uninstall(connection) -> None:
    triggers.run(connection, STATEMENTS, install=False)
