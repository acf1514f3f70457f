-- Audit records as accepted. Fields are kept as the producer sent them (text, not timestamptz) so
-- the payload goes out byte for byte as it came in, nanosecond dates included.
create table auditlog.events (
    id               bigint generated always as identity primary key,
    event_id         text        not null,
    organization_id  text        not null,
    occurred_at      text        not null,
    data_category    text        not null,
    data_name        text        not null,
    data_date        text        not null,
    description      text        not null,
    actor_ip         text        not null,
    actor_user_agent text        not null,
    actor_username   text        not null,
    source           text        not null check (source in ('http', 'sql')),
    received_at      timestamptz not null,
    fanned_out_at    timestamptz,
    constraint events_event_id_key unique (event_id)
);
create index events_awaiting_fan_out on auditlog.events (id) where fanned_out_at is null;
create index events_received_at on auditlog.events (received_at);

-- One row per Webhook resource, written by the operator. Secret-sourced values (URL, header
-- values, signing keys) live only inside sealed_secrets, AES-256-GCM under key key_id.
create table auditlog.routes (
    uid                  uuid        primary key,
    namespace            text        not null,
    name                 text        not null,
    generation           bigint      not null,
    display_name         text        not null default '',
    url                  text,
    headers              jsonb       not null default '[]',
    events               text[]      not null,
    filter_categories    text[]      not null default '{}',
    filter_names         text[]      not null default '{}',
    filter_organizations text[]      not null default '{}',
    secure               boolean     not null default true,
    timeout_ms           integer     not null,
    max_attempts         integer     not null,
    retry_schedule_ms    integer[],
    suspended            boolean     not null default false,
    key_id               text,
    sealed_secrets       bytea,
    content_hash         bytea       not null,
    disabled_at          timestamptz,
    disabled_reason      text,
    revision             bigint      not null,
    updated_at           timestamptz not null,
    constraint routes_namespace_name_key unique (namespace, name)
);

-- The routing table's revision: bumped with every change to routes so readers can tell whether
-- their in-memory copy is current without reading the whole table.
create table auditlog.route_table (
    singleton boolean primary key default true check (singleton),
    revision  bigint  not null
);
insert into auditlog.route_table (revision) values (0);

-- The hot queue. Rows leave it on success; only pending and failed (dead-letter) rows stay, so
-- it stays small. A claimed row's next_attempt_at is pushed to its lease expiry: a crashed
-- worker's rows simply become due again.
create table auditlog.deliveries (
    id              bigint generated always as identity primary key,
    event_pk        bigint      not null,
    route_uid       uuid        not null,
    state           text        not null default 'pending' check (state in ('pending', 'failed')),
    attempts        integer     not null default 0,
    next_attempt_at timestamptz not null,
    created_at      timestamptz not null,
    last_status     integer,
    last_error      text,
    updated_at      timestamptz not null
) with (fillfactor = 70);
create index deliveries_due on auditlog.deliveries (next_attempt_at) where state = 'pending';
create index deliveries_route_state on auditlog.deliveries (route_uid, state);
create index deliveries_event on auditlog.deliveries (event_pk);

-- Every attempt, append-only, one partition per day: expiring a day is a partition drop.
create table auditlog.delivery_attempts (
    id               bigint generated always as identity,
    delivery_id      bigint      not null,
    event_id         text        not null,
    route_uid        uuid        not null,
    attempt          integer     not null,
    attempted_at     timestamptz not null,
    duration_ms      integer     not null,
    outcome          text        not null check (outcome in ('succeeded', 'retrying', 'failed')),
    request_url      text        not null,
    request_method   text        not null,
    request_headers  jsonb       not null,
    request_body     text        not null,
    response_status  integer,
    response_headers jsonb,
    response_body    text,
    error_class      text,
    error_message    text,
    primary key (id, attempted_at)
) partition by range (attempted_at);
create index delivery_attempts_route_time on auditlog.delivery_attempts (route_uid, attempted_at desc);
create index delivery_attempts_event on auditlog.delivery_attempts (event_id);

create function auditlog.ensure_attempt_partitions(first_day date, days integer) returns void
language plpgsql as $$
declare
    day date;
begin
    for i in 0 .. days - 1 loop
        day := first_day + i;
        execute format(
            'create table if not exists auditlog.%I partition of auditlog.delivery_attempts for values from (%L) to (%L)',
            'delivery_attempts_' || to_char(day, 'YYYYMMDD'), day::timestamp at time zone 'UTC', (day + 1)::timestamp at time zone 'UTC');
    end loop;
end $$;

select auditlog.ensure_attempt_partitions((now() at time zone 'UTC')::date - 1, 9);
