-- A notes app: an FTS5 index kept in sync by triggers (external content), tags, soft
-- deletion through an INSTEAD OF trigger on a view, and JSON metadata.

CREATE TABLE notebooks (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    notebook_id INTEGER NOT NULL REFERENCES notebooks (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    meta TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(meta)),
    deleted_at TEXT,
    updated_at TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE VIRTUAL TABLE notes_fts USING fts5 (title, body, content = 'notes', content_rowid = 'id');

CREATE TRIGGER notes_ai AFTER INSERT ON notes BEGIN
    INSERT INTO notes_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;

CREATE TRIGGER notes_ad AFTER DELETE ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;

CREATE TRIGGER notes_au AFTER UPDATE OF title, body ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO notes_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE note_tags (
    note_id INTEGER NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (note_id, tag_id)
) WITHOUT ROWID;

CREATE VIEW live_notes AS
    SELECT n.id, n.title, n.body, b.name AS notebook, json_extract(n.meta, '$.color') AS color
    FROM notes n JOIN notebooks b ON b.id = n.notebook_id
    WHERE n.deleted_at IS NULL;

CREATE TRIGGER live_notes_delete INSTEAD OF DELETE ON live_notes BEGIN
    UPDATE notes SET deleted_at = datetime('now') WHERE id = old.id;
END;

CREATE VIEW tag_cloud AS
    SELECT t.label, COUNT(*) AS uses
    FROM tags t JOIN note_tags nt ON nt.tag_id = t.id
    JOIN live_notes ln ON ln.id = nt.note_id
    GROUP BY t.label;

CREATE INDEX idx_notes_notebook ON notes (notebook_id, updated_at DESC);
CREATE INDEX idx_notes_color ON notes (json_extract(meta, '$.color'));
