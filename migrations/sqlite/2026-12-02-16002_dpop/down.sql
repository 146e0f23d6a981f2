ALTER TABLE refresh_tokens DROP COLUMN dpop_jkt;
ALTER TABLE authorization_codes DROP COLUMN dpop_jkt;
ALTER TABLE workspaces DROP COLUMN dpop_nonce_required;
DROP TABLE used_dpop_proofs;
