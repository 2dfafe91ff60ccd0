ALTER TABLE events RENAME TO activity;
