-- A multi-tenant SaaS schema spread over schemas, with cross-schema types, keys and views.

CREATE SCHEMA auth;
CREATE SCHEMA billing;
CREATE SCHEMA app;

CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE DOMAIN auth.email AS citext
    CHECK (VALUE ~ '^[^@[:space:]]+@[^@[:space:]]+$');

CREATE TYPE auth.role AS ENUM ('owner', 'admin', 'member', 'guest');
CREATE TYPE billing.plan AS ENUM ('free', 'team', 'enterprise');
CREATE TYPE billing.money_amount AS (currency char(3), cents bigint);

CREATE TABLE auth.tenants (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]+$'),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE auth.users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES auth.tenants (id) ON DELETE CASCADE,
    email auth.email NOT NULL,
    role auth.role NOT NULL DEFAULT 'member',
    disabled boolean NOT NULL DEFAULT false,
    UNIQUE (tenant_id, email)
);

CREATE TABLE billing.subscriptions (
    tenant_id uuid PRIMARY KEY REFERENCES auth.tenants (id) ON DELETE CASCADE,
    plan billing.plan NOT NULL DEFAULT 'free',
    seats integer NOT NULL DEFAULT 1 CHECK (seats > 0),
    price billing.money_amount,
    renews_on date
);

CREATE TABLE billing.invoices (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES billing.subscriptions (tenant_id),
    issued_on date NOT NULL DEFAULT current_date,
    total billing.money_amount NOT NULL,
    paid_by uuid REFERENCES auth.users (id)
);

CREATE TABLE app.projects (
    id bigserial PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES auth.tenants (id) ON DELETE CASCADE,
    owner_id uuid NOT NULL REFERENCES auth.users (id),
    name text NOT NULL,
    archived_at timestamptz
);

CREATE TABLE app.tasks (
    id bigserial PRIMARY KEY,
    project_id bigint NOT NULL REFERENCES app.projects (id) ON DELETE CASCADE,
    assignee_id uuid REFERENCES auth.users (id) ON DELETE SET NULL,
    title text NOT NULL,
    done boolean NOT NULL DEFAULT false,
    labels text[] NOT NULL DEFAULT '{}'
);

CREATE FUNCTION auth.current_tenant() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('app.tenant', true), '')::uuid $$;

CREATE FUNCTION billing.seat_price(p billing.plan) RETURNS bigint
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE p WHEN 'free' THEN 0 WHEN 'team' THEN 800 ELSE 2500 END::bigint $$;

CREATE VIEW billing.monthly_revenue AS
    SELECT s.plan, sum(s.seats * billing.seat_price(s.plan)) AS cents
    FROM billing.subscriptions s
    GROUP BY s.plan;

CREATE VIEW app.open_tasks AS
    SELECT t.id, t.title, p.name AS project, u.email AS assignee
    FROM app.tasks t
    JOIN app.projects p ON p.id = t.project_id
    LEFT JOIN auth.users u ON u.id = t.assignee_id
    WHERE NOT t.done AND p.archived_at IS NULL;

CREATE VIEW app.workload AS
    SELECT assignee, count(*) AS open_count FROM app.open_tasks GROUP BY assignee;

ALTER TABLE app.projects ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON app.projects
    USING (tenant_id = auth.current_tenant());

CREATE INDEX tasks_open_idx ON app.tasks (project_id) WHERE NOT done;
CREATE INDEX tasks_labels_idx ON app.tasks USING gin (labels);
CREATE INDEX users_email_idx ON auth.users (lower(email::text));

GRANT USAGE ON SCHEMA app TO PUBLIC;
GRANT SELECT ON app.open_tasks TO PUBLIC;
COMMENT ON SCHEMA billing IS 'Plans, subscriptions and invoices';
COMMENT ON COLUMN billing.invoices.total IS 'Invoice total in the subscription currency';
