-- DPoP (RFC 9449). `used_dpop_proofs` remembers each proof's `jti` (hashed with the key's thumbprint) until the
-- proof is too old to be accepted anyway, so a replay fails on every instance. A workspace may require
-- server-issued nonces (§8). Authorization codes bound with `dpop_jkt` (§10) and refresh tokens of public clients
-- (§5) remember the thumbprint of the key they are bound to.
CREATE TABLE used_dpop_proofs (
    id_hash TEXT PRIMARY KEY NOT NULL,
    expires_at BIGINT NOT NULL
);
ALTER TABLE workspaces ADD COLUMN dpop_nonce_required BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE authorization_codes ADD COLUMN dpop_jkt TEXT;
ALTER TABLE refresh_tokens ADD COLUMN dpop_jkt TEXT;
