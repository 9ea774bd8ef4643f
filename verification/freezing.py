"""Issued means frozen, in the database itself, for verifications too.

Triggers refuse, by any code path (the ORM, `QuerySet.update()`, raw SQL, a database console):

- any update or delete of an issued verification (its number, results, PDF and SHA-256);
- adding, changing or removing the standards used by an issued verification;
- changing a used mark's serial, batch or verification, or deleting it. The one change a used
  mark may still take is to be recorded lost (state "lost", with its reason), keeping its
  serial and its verification, so that the log still answers "which instrument carried mark N".

Both SQLite and PostgreSQL answer with an integrity error naming the table. The functions and
triggers are this app's own (`verification_frozen_*`), so lifting the certificates' triggers
leaves these in place and the other way round.
"""

from lims import triggers

VERIFICATION = "verification_verification"
STANDARDS = "verification_verification_standards"
MARK = "verification_mark"

# A used (or lost-from-an-instrument) mark: what an update must keep, and the one move allowed.
_MARK_KEPT_SQLITE = (
    "NEW.serial IS OLD.serial AND NEW.batch_id IS OLD.batch_id "
    "AND NEW.verification_id IS OLD.verification_id"
)
_MARK_MOVE_SQLITE = (
    "(NEW.state IS OLD.state AND NEW.reason IS OLD.reason) "
    "OR (OLD.state = 'used' AND NEW.state = 'lost' AND NEW.reason <> '')"
)


def statements() -> dict[str, tuple[list[str], list[str]]]:
    sqlite_install = [
        f"""CREATE TRIGGER IF NOT EXISTS verification_frozen_update BEFORE UPDATE ON {VERIFICATION}
            WHEN OLD.state = 'issued'
            BEGIN SELECT RAISE(ABORT, 'frozen: an issued verification cannot be changed'); END""",
        f"""CREATE TRIGGER IF NOT EXISTS verification_frozen_delete BEFORE DELETE ON {VERIFICATION}
            WHEN OLD.state = 'issued'
            BEGIN SELECT RAISE(ABORT, 'frozen: an issued verification cannot be deleted'); END""",
    ]
    for name, op, row in (
        ("update", "UPDATE", "OLD"),
        ("delete", "DELETE", "OLD"),
        ("insert", "INSERT", "NEW"),
        ("move", "UPDATE", "NEW"),
    ):
        sqlite_install.append(
            f"""CREATE TRIGGER IF NOT EXISTS verification_frozen_standards_{name}
                BEFORE {op} ON {STANDARDS}
                WHEN (SELECT state FROM {VERIFICATION} WHERE id = {row}.verification_id) = 'issued'
                BEGIN SELECT RAISE(ABORT, 'frozen: the standards of an issued verification cannot be changed'); END"""
        )
    sqlite_install += [
        f"""CREATE TRIGGER IF NOT EXISTS verification_frozen_mark_update BEFORE UPDATE ON {MARK}
            WHEN OLD.verification_id IS NOT NULL
             AND NOT (({_MARK_KEPT_SQLITE}) AND ({_MARK_MOVE_SQLITE}))
            BEGIN SELECT RAISE(ABORT, 'frozen: a used mark can only be recorded lost'); END""",
        f"""CREATE TRIGGER IF NOT EXISTS verification_frozen_mark_delete BEFORE DELETE ON {MARK}
            WHEN OLD.verification_id IS NOT NULL
            BEGIN SELECT RAISE(ABORT, 'frozen: a used mark cannot be deleted'); END""",
    ]
    sqlite_uninstall = [
        f"DROP TRIGGER IF EXISTS verification_frozen_{name}"
        for name in (
            "update",
            "delete",
            "standards_update",
            "standards_delete",
            "standards_insert",
            "standards_move",
            "mark_update",
            "mark_delete",
        )
    ]

    postgresql_install = [
        """CREATE OR REPLACE FUNCTION verification_frozen_refuse() RETURNS trigger AS $$
           BEGIN
             RAISE EXCEPTION 'frozen: % of an issued verification in % is refused', TG_OP, TG_TABLE_NAME
               USING ERRCODE = 'integrity_constraint_violation';
           END $$ LANGUAGE plpgsql""",
        f"""CREATE OR REPLACE FUNCTION verification_frozen_standards() RETURNS trigger AS $$
           BEGIN
             IF (TG_OP <> 'INSERT' AND
                 (SELECT state FROM {VERIFICATION} WHERE id = OLD.verification_id) = 'issued')
                OR (TG_OP <> 'DELETE' AND
                 (SELECT state FROM {VERIFICATION} WHERE id = NEW.verification_id) = 'issued') THEN
               RAISE EXCEPTION 'frozen: % of the standards of an issued verification in % is refused', TG_OP, TG_TABLE_NAME
                 USING ERRCODE = 'integrity_constraint_violation';
             END IF;
             RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
           END $$ LANGUAGE plpgsql""",
        """CREATE OR REPLACE FUNCTION verification_frozen_mark() RETURNS trigger AS $$
           BEGIN
             IF OLD.verification_id IS NOT NULL AND (
                  TG_OP = 'DELETE'
                  OR NOT (
                    NEW.serial IS NOT DISTINCT FROM OLD.serial
                    AND NEW.batch_id IS NOT DISTINCT FROM OLD.batch_id
                    AND NEW.verification_id IS NOT DISTINCT FROM OLD.verification_id
                    AND ((NEW.state IS NOT DISTINCT FROM OLD.state
                          AND NEW.reason IS NOT DISTINCT FROM OLD.reason)
                         OR (OLD.state = 'used' AND NEW.state = 'lost' AND NEW.reason <> '')))) THEN
               RAISE EXCEPTION 'frozen: % of a used mark in % is refused (it can only be recorded lost)', TG_OP, TG_TABLE_NAME
                 USING ERRCODE = 'integrity_constraint_violation';
             END IF;
             RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
           END $$ LANGUAGE plpgsql""",
        f"""CREATE OR REPLACE TRIGGER verification_frozen BEFORE UPDATE OR DELETE ON {VERIFICATION}
            FOR EACH ROW WHEN (OLD.state = 'issued') EXECUTE FUNCTION verification_frozen_refuse()""",
        f"""CREATE OR REPLACE TRIGGER verification_frozen_standards
            BEFORE INSERT OR UPDATE OR DELETE ON {STANDARDS}
            FOR EACH ROW EXECUTE FUNCTION verification_frozen_standards()""",
        f"""CREATE OR REPLACE TRIGGER verification_frozen_mark BEFORE UPDATE OR DELETE ON {MARK}
            FOR EACH ROW EXECUTE FUNCTION verification_frozen_mark()""",
    ]
    postgresql_uninstall = [
        f"DROP TRIGGER IF EXISTS verification_frozen ON {VERIFICATION}",
        f"DROP TRIGGER IF EXISTS verification_frozen_standards ON {STANDARDS}",
        f"DROP TRIGGER IF EXISTS verification_frozen_mark ON {MARK}",
        "DROP FUNCTION IF EXISTS verification_frozen_refuse()",
        "DROP FUNCTION IF EXISTS verification_frozen_standards()",
        "DROP FUNCTION IF EXISTS verification_frozen_mark()",
    ]
    return {
        "sqlite": (sqlite_install, sqlite_uninstall),
        "postgresql": (postgresql_install, postgresql_uninstall),
    }


def install(connection) -> None:
    triggers.run(connection, statements(), install=True)


def uninstall(connection) -> None:
    triggers.run(connection, statements(), install=False)
