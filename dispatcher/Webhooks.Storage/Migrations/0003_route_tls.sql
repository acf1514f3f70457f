-- Per-route TLS for secure mode: a private CA bundle to trust besides the system roots. Not a
-- secret (CA certificates are public), so it is a plain column; the client certificate and its
-- key live in sealed_secrets with the other secret-sourced values.
alter table auditlog.routes add column ca_certificates_pem text;
