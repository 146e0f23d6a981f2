-- The admin portal: its sessions (a row per signed-in administrator, the id stored only as a hash, so any instance
-- serves it) and its sign-ins in progress (state, nonce and PKCE verifier of the authorization request, bound to
-- the browser, with the form a step-up keeps to complete afterwards).

CREATE TABLE portal_sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id_token TEXT NOT NULL,
    auth_time BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX portal_sessions_user ON portal_sessions (user_id);
CREATE INDEX portal_sessions_expires ON portal_sessions (expires_at);

CREATE TABLE portal_sign_ins (
    state_hash TEXT PRIMARY KEY NOT NULL,
    browser TEXT NOT NULL,
    nonce TEXT NOT NULL,
    code_verifier TEXT NOT NULL,
    return_to TEXT NOT NULL,
    step_up_user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    pending_action TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX portal_sign_ins_expires ON portal_sign_ins (expires_at);
CREATE INDEX portal_sign_ins_user ON portal_sign_ins (step_up_user_id);
