-- Room bookings: range types with an exclusion constraint, an enum value added later (and
-- not used, so the file also runs inside one transaction), a domain over an enum, trigger functions with WHEN clauses, and set-returning functions.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE SCHEMA booking;

CREATE TYPE booking.status AS ENUM ('tentative', 'confirmed', 'cancelled');
ALTER TYPE booking.status ADD VALUE 'waitlisted' BEFORE 'cancelled';
CREATE DOMAIN booking.active_status AS booking.status CHECK (VALUE <> 'cancelled');

CREATE TABLE booking.rooms (
    id smallint PRIMARY KEY,
    name text NOT NULL UNIQUE,
    capacity smallint NOT NULL CHECK (capacity > 0)
);

CREATE TABLE booking.people (
    id serial PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE booking.reservations (
    id serial PRIMARY KEY,
    room_id smallint NOT NULL REFERENCES booking.rooms (id),
    booked_by integer NOT NULL REFERENCES booking.people (id),
    during tstzrange NOT NULL,
    status booking.status NOT NULL DEFAULT 'tentative',
    EXCLUDE USING gist (room_id WITH =, during WITH &&) WHERE (status <> 'cancelled')
);

CREATE TABLE booking.audit (
    at timestamptz NOT NULL DEFAULT now(),
    reservation_id integer NOT NULL,
    old_status booking.status,
    new_status booking.status
);

CREATE FUNCTION booking.log_status() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO booking.audit (reservation_id, old_status, new_status)
    VALUES (NEW.id, OLD.status, NEW.status);
    RETURN NEW;
END
$$;

CREATE TRIGGER reservation_status AFTER UPDATE OF status ON booking.reservations
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION booking.log_status();

CREATE FUNCTION booking.free_rooms(at timestamptz) RETURNS SETOF booking.rooms
    LANGUAGE sql STABLE
    AS $$
    SELECT r.* FROM booking.rooms r
    WHERE NOT EXISTS (
        SELECT 1 FROM booking.reservations v
        WHERE v.room_id = r.id AND v.during @> at AND v.status <> 'cancelled')
$$;

CREATE VIEW booking.today AS
    SELECT r.name AS room, p.name AS person, v.during, v.status::booking.active_status AS status
    FROM booking.reservations v
    JOIN booking.rooms r ON r.id = v.room_id
    JOIN booking.people p ON p.id = v.booked_by
    WHERE v.during && tstzrange(date_trunc('day', now()), date_trunc('day', now()) + interval '1 day')
      AND v.status <> 'cancelled';

CREATE VIEW booking.free_now AS SELECT * FROM booking.free_rooms(now());

CREATE INDEX reservations_by_person ON booking.reservations (booked_by);

INSERT INTO booking.rooms (id, name, capacity) VALUES (1, 'Ada', 4), (2, 'Grace', 12);
INSERT INTO booking.people (name) VALUES ('Edsger'), ('Barbara');
INSERT INTO booking.reservations (room_id, booked_by, during, status)
    VALUES (1, 1, tstzrange('2030-01-01 10:00+00', '2030-01-01 11:00+00'), 'confirmed');
