-- The transactional outbox: a producer calls auditlog.enqueue(record) inside its own
-- transaction, so the audit record commits or rolls back with the change it describes.
-- The rules mirror AuditRecordValidator (C#); tests feed both the same invalid records.
create function auditlog.validation_error(field text, reason text) returns void
language plpgsql as $$
begin
    raise exception using errcode = '22023', message = field || ': ' || reason;
end $$;

create function auditlog.check_string(value jsonb, field text, required boolean, max_length integer) returns text
language plpgsql immutable as $$
begin
    if value is null or jsonb_typeof(value) = 'null' then
        if required then perform auditlog.validation_error(field, 'is required'); end if;
        return '';
    end if;
    if jsonb_typeof(value) <> 'string' then
        perform auditlog.validation_error(field, 'must be a string');
    end if;
    if required and value #>> '{}' = '' then
        perform auditlog.validation_error(field, 'must not be empty');
    end if;
    if length(value #>> '{}') > max_length then
        perform auditlog.validation_error(field, format('must be at most %s characters', max_length));
    end if;
    return value #>> '{}';
end $$;

create function auditlog.check_timestamp(value text, field text) returns text
language plpgsql immutable as $$
begin
    if value !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})$' then
        perform auditlog.validation_error(field, 'must be an RFC 3339 timestamp such as 2025-11-12T12:12:48.626967855Z');
    end if;
    return value;
end $$;

create function auditlog.check_object(value jsonb, field text, allowed text[]) returns void
language plpgsql immutable as $$
declare
    unknown text;
begin
    if jsonb_typeof(value) <> 'object' then
        perform auditlog.validation_error(field, 'must be a JSON object');
    end if;
    select k into unknown from jsonb_object_keys(value) k where k <> all (allowed) order by k limit 1;
    if unknown is not null then
        perform auditlog.validation_error(case when field = '$' then unknown else field || '.' || unknown end, 'is not a known field');
    end if;
end $$;

create function auditlog.enqueue(record jsonb) returns text
language plpgsql as $$
declare
    data     jsonb := record -> 'data';
    actor    jsonb;
    event_id text;
begin
    if record is null then
        perform auditlog.validation_error('$', 'must be a JSON object');
    end if;
    perform auditlog.check_object(record, '$', array['data', 'event_category', 'event_id', 'occurred_at', 'organization_id']);
    if record ? 'event_category' and record -> 'event_category' <> '"audit_log_creation"' then
        perform auditlog.validation_error('event_category', 'must be "audit_log_creation"');
    end if;
    event_id := auditlog.check_string(record -> 'event_id', 'event_id', false, 132);
    if event_id = '' then
        event_id := 'evt_' || gen_random_uuid();
    elsif event_id !~ '^evt_[A-Za-z0-9._-]{1,128}$' then
        perform auditlog.validation_error('event_id', 'must match evt_[A-Za-z0-9._-]{1,128}');
    end if;
    if data is null or jsonb_typeof(data) = 'null' then
        perform auditlog.validation_error('data', 'is required');
    end if;
    perform auditlog.check_object(data, 'data', array['actor', 'date', 'description', 'event_category', 'event_name']);
    actor := coalesce(data -> 'actor', '{}');
    if jsonb_typeof(actor) <> 'null' then
        perform auditlog.check_object(actor, 'data.actor', array['ip', 'user_agent', 'username']);
    end if;

    insert into auditlog.events (event_id, organization_id, occurred_at, data_category, data_name, data_date,
                                 description, actor_ip, actor_user_agent, actor_username, source, received_at)
    values (
        event_id,
        auditlog.check_string(record -> 'organization_id', 'organization_id', true, 256),
        coalesce(auditlog.check_timestamp(nullif(auditlog.check_string(record -> 'occurred_at', 'occurred_at', false, 64), ''), 'occurred_at'),
                 to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')),
        auditlog.check_string(data -> 'event_category', 'data.event_category', true, 256),
        auditlog.check_string(data -> 'event_name', 'data.event_name', true, 256),
        auditlog.check_timestamp(auditlog.check_string(data -> 'date', 'data.date', true, 64), 'data.date'),
        auditlog.check_string(data -> 'description', 'data.description', false, 8192),
        auditlog.check_string(actor -> 'ip', 'data.actor.ip', false, 256),
        auditlog.check_string(actor -> 'user_agent', 'data.actor.user_agent', false, 1024),
        auditlog.check_string(actor -> 'username', 'data.actor.username', false, 256),
        'sql',
        now())
    on conflict on constraint events_event_id_key do nothing;

    perform pg_notify('auditlog_events', '');
    return event_id;
end $$;
