"""Database triggers that back the one rule where a constraint cannot.

They are (re)installed after every `migrate`, because SQLite drops a table's
triggers when a migration rebuilds the table.

- The live pointer may only name an approval of this article whose hash
  matches the live revision.
- An approval may not name an author of the article, a byline of the
  revision or its creator as its reviewer, and carries the revision hash and
  its kind of change.
- Revisions, reviews and audit entries are never updated.
"""

LIVE_POINTER_OK = """
    EXISTS (
        SELECT 1 FROM articles_review r
        JOIN articles_revision v ON v.id = r.revision_id
        WHERE r.id = NEW.live_approval_id
          AND r.decision = 'approved'
          AND r.revision_id = NEW.live_revision_id
          AND r.content_hash = v.content_hash
          AND v.article_id = NEW.id
    )
"""

APPROVAL_BY_AUTHOR = """
    EXISTS (
        SELECT 1 FROM articles_revision v
        WHERE v.id = NEW.revision_id
          AND (v.created_by_id = NEW.reviewer_id OR v.content_hash <> NEW.content_hash
               OR v.change_class <> NEW.change_class)
    ) OR EXISTS (
        SELECT 1 FROM articles_revision v
        JOIN articles_article_authors aa ON aa.article_id = v.article_id
        JOIN articles_contributor c ON c.id = aa.contributor_id
        WHERE v.id = NEW.revision_id AND c.user_id = NEW.reviewer_id
    ) OR EXISTS (
        SELECT 1 FROM articles_revision_authors ra
        JOIN articles_contributor c ON c.id = ra.contributor_id
        WHERE ra.revision_id = NEW.revision_id AND c.user_id = NEW.reviewer_id
    )
"""

IMMUTABLE_TABLES = ("articles_revision", "articles_review", "articles_auditentry")

SQLITE = [
    "DROP TRIGGER IF EXISTS articles_live_pointer_insert",
    "DROP TRIGGER IF EXISTS articles_live_pointer_update",
    "DROP TRIGGER IF EXISTS articles_review_separation",
    f"""CREATE TRIGGER articles_live_pointer_insert
        BEFORE INSERT ON articles_article
        WHEN NEW.live_approval_id IS NOT NULL AND NOT {LIVE_POINTER_OK}
        BEGIN SELECT RAISE(ABORT, 'live revision must be approved'); END""",
    f"""CREATE TRIGGER articles_live_pointer_update
        BEFORE UPDATE OF live_revision_id, live_approval_id ON articles_article
        WHEN NEW.live_approval_id IS NOT NULL AND NOT {LIVE_POINTER_OK}
        BEGIN SELECT RAISE(ABORT, 'live revision must be approved'); END""",
    f"""CREATE TRIGGER articles_review_separation
        BEFORE INSERT ON articles_review
        WHEN NEW.decision = 'approved' AND ({APPROVAL_BY_AUTHOR})
        BEGIN SELECT RAISE(ABORT, 'approval breaks separation of duty'); END""",
]
for table in IMMUTABLE_TABLES:
    SQLITE += [
        f"DROP TRIGGER IF EXISTS {table}_immutable",
        f"""CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} rows are immutable'); END""",
    ]

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION articles_check_live_pointer() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.live_approval_id IS NOT NULL AND NOT {LIVE_POINTER_OK} THEN
                RAISE EXCEPTION 'live revision must be approved'
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END $$""",
    "DROP TRIGGER IF EXISTS articles_live_pointer ON articles_article",
    """CREATE TRIGGER articles_live_pointer
        BEFORE INSERT OR UPDATE OF live_revision_id, live_approval_id
        ON articles_article FOR EACH ROW
        EXECUTE FUNCTION articles_check_live_pointer()""",
    f"""CREATE OR REPLACE FUNCTION articles_check_review() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.decision = 'approved' AND ({APPROVAL_BY_AUTHOR}) THEN
                RAISE EXCEPTION 'approval breaks separation of duty'
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END $$""",
    "DROP TRIGGER IF EXISTS articles_review_separation ON articles_review",
    """CREATE TRIGGER articles_review_separation
        BEFORE INSERT ON articles_review FOR EACH ROW
        EXECUTE FUNCTION articles_check_review()""",
    """CREATE OR REPLACE FUNCTION articles_refuse_update() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME
                USING ERRCODE = 'integrity_constraint_violation';
        END $$""",
]
for table in IMMUTABLE_TABLES:
    POSTGRESQL += [
        f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}",
        f"""CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table}
            FOR EACH ROW EXECUTE FUNCTION articles_refuse_update()""",
    ]

STATEMENTS = {"sqlite": SQLITE, "postgresql": POSTGRESQL}


def install(connection) -> None:
    """Create or replace the triggers on `connection`'s database."""
    statements = STATEMENTS.get(connection.vendor)
    if statements is None:
        return
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def uninstall(connection) -> None:
    """Drop the triggers, for a migration that rebuilds the tables they read
    (SQLite refuses a rebuild while a trigger names the table). The
    post_migrate hook installs them again."""
    statements = STATEMENTS.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for statement in statements:
            if statement.startswith("DROP TRIGGER"):
                cursor.execute(statement)


def uninstall_for_migration(apps, schema_editor) -> None:
    """RunPython form of `uninstall`, for both directions of a migration."""
    uninstall(schema_editor.connection)
