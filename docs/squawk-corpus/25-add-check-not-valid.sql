ALTER TABLE users ADD CONSTRAINT users_age_pos CHECK (age >= 0) NOT VALID;
