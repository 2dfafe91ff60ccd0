-- A calendar: recurring events expanded by a recursive view, window functions,
-- attendees, reminders, expression indexes and triggers maintaining denormalized counts.

CREATE TABLE calendars (
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL,
    timezone TEXT NOT NULL DEFAULT 'UTC'
);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes > 0),
    repeat_days INTEGER CHECK (repeat_days IS NULL OR repeat_days > 0),
    repeat_count INTEGER NOT NULL DEFAULT 1,
    attendee_count INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE attendees (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    response TEXT NOT NULL DEFAULT 'none' CHECK (response IN ('none', 'yes', 'no', 'maybe')),
    PRIMARY KEY (event_id, email)
);

CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    minutes_before INTEGER NOT NULL DEFAULT 10
);

CREATE TRIGGER attendee_added AFTER INSERT ON attendees BEGIN
    UPDATE events SET attendee_count = attendee_count + 1 WHERE id = new.event_id;
END;

CREATE TRIGGER attendee_removed AFTER DELETE ON attendees BEGIN
    UPDATE events SET attendee_count = attendee_count - 1 WHERE id = old.event_id;
END;

CREATE VIEW occurrences AS
    WITH RECURSIVE occ (event_id, n, starts_at) AS (
        SELECT id, 1, starts_at FROM events
        UNION ALL
        SELECT e.id, occ.n + 1, datetime(occ.starts_at, '+' || e.repeat_days || ' days')
        FROM occ JOIN events e ON e.id = occ.event_id
        WHERE e.repeat_days IS NOT NULL AND occ.n < e.repeat_count
    )
    SELECT occ.event_id, occ.n, occ.starts_at, e.title, e.minutes
    FROM occ JOIN events e ON e.id = occ.event_id;

CREATE VIEW busiest_days AS
    SELECT date(starts_at) AS day, COUNT(*) AS events,
           RANK() OVER (ORDER BY COUNT(*) DESC) AS rank
    FROM occurrences
    GROUP BY date(starts_at);

CREATE VIEW due_reminders AS
    SELECT r.id, o.title, datetime(o.starts_at, '-' || r.minutes_before || ' minutes') AS remind_at
    FROM reminders r JOIN occurrences o ON o.event_id = r.event_id;

CREATE INDEX idx_events_day ON events (date(starts_at));
CREATE INDEX idx_attendees_email ON attendees (lower(email));

INSERT INTO calendars (id, owner) VALUES (1, 'ada@example.com');
INSERT INTO events (calendar_id, title, starts_at, minutes, repeat_days, repeat_count)
    VALUES (1, 'Standup', '2030-01-07 09:00:00', 15, 1, 5);
INSERT INTO attendees (event_id, email) VALUES (1, 'grace@example.com');
