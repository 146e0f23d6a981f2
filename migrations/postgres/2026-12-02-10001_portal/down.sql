DROP TABLE portal_sign_ins;
DROP TABLE portal_sessions;
