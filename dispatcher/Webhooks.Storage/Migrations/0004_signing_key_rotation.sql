-- Signing-key rotation without downtime: after the signing secret changes, the previous key keeps
-- signing beside the new one until this time (sealed_secrets holds both, newest first).
alter table auditlog.routes add column signing_rotation_ends_at timestamptz;
