-- A music store in the spirit of Chinook: artists, albums, tracks, playlists, customers,
-- employees reporting to employees, invoices, indexes and reporting views.

PRAGMA foreign_keys = ON;

CREATE TABLE artists (
    artist_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE albums (
    album_id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    artist_id INTEGER NOT NULL REFERENCES artists (artist_id)
);

CREATE TABLE genres (
    genre_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE media_types (
    media_type_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE tracks (
    track_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    album_id INTEGER REFERENCES albums (album_id),
    media_type_id INTEGER NOT NULL REFERENCES media_types (media_type_id),
    genre_id INTEGER REFERENCES genres (genre_id),
    composer TEXT,
    milliseconds INTEGER NOT NULL CHECK (milliseconds > 0),
    unit_price NUMERIC(10,2) NOT NULL
);

CREATE TABLE playlists (
    playlist_id INTEGER PRIMARY KEY,
    name TEXT
);

CREATE TABLE playlist_track (
    playlist_id INTEGER NOT NULL REFERENCES playlists (playlist_id) ON DELETE CASCADE,
    track_id INTEGER NOT NULL REFERENCES tracks (track_id),
    PRIMARY KEY (playlist_id, track_id)
) WITHOUT ROWID;

CREATE TABLE employees (
    employee_id INTEGER PRIMARY KEY,
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    title TEXT,
    reports_to INTEGER REFERENCES employees (employee_id),
    hire_date TEXT
);

CREATE TABLE customers (
    customer_id INTEGER PRIMARY KEY,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL COLLATE NOCASE UNIQUE,
    country TEXT,
    support_rep_id INTEGER REFERENCES employees (employee_id)
);

CREATE TABLE invoices (
    invoice_id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (customer_id),
    invoice_date TEXT NOT NULL,
    total NUMERIC(10,2) NOT NULL
);

CREATE TABLE invoice_lines (
    invoice_line_id INTEGER PRIMARY KEY,
    invoice_id INTEGER NOT NULL REFERENCES invoices (invoice_id) ON DELETE CASCADE,
    track_id INTEGER NOT NULL REFERENCES tracks (track_id),
    unit_price NUMERIC(10,2) NOT NULL,
    quantity INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX idx_albums_artist ON albums (artist_id);
CREATE INDEX idx_tracks_album ON tracks (album_id);
CREATE INDEX idx_tracks_genre ON tracks (genre_id);
CREATE INDEX idx_invoice_lines_invoice ON invoice_lines (invoice_id);
CREATE INDEX idx_customers_country ON customers (country) WHERE country IS NOT NULL;

CREATE VIEW album_lengths AS
    SELECT a.album_id, a.title, ar.name AS artist, SUM(t.milliseconds) / 60000.0 AS minutes
    FROM albums a
    JOIN artists ar ON ar.artist_id = a.artist_id
    JOIN tracks t ON t.album_id = a.album_id
    GROUP BY a.album_id;

CREATE VIEW sales_by_genre AS
    SELECT g.name AS genre, SUM(il.unit_price * il.quantity) AS revenue
    FROM invoice_lines il
    JOIN tracks t ON t.track_id = il.track_id
    JOIN genres g ON g.genre_id = t.genre_id
    GROUP BY g.name;

CREATE VIEW top_genre AS
    SELECT genre FROM sales_by_genre ORDER BY revenue DESC LIMIT 1;

CREATE VIEW org_chart AS
    WITH RECURSIVE chain (employee_id, name, depth) AS (
        SELECT employee_id, first_name || ' ' || last_name, 0 FROM employees WHERE reports_to IS NULL
        UNION ALL
        SELECT e.employee_id, e.first_name || ' ' || e.last_name, chain.depth + 1
        FROM employees e JOIN chain ON e.reports_to = chain.employee_id
    )
    SELECT * FROM chain;

INSERT INTO media_types (name) VALUES ('MPEG audio file'), ('AAC audio file');
INSERT INTO genres (name) VALUES ('Rock'), ('Jazz'), ('Classical');
INSERT INTO artists (name) VALUES ('Miles Davis');
INSERT INTO albums (title, artist_id) VALUES ('Kind of Blue', 1);
INSERT INTO tracks (name, album_id, media_type_id, genre_id, milliseconds, unit_price)
    VALUES ('So What', 1, 1, 2, 562000, 0.99);
