-- The `claims` request parameter (OIDC Core 5.5): the claims a client asked for one by one, kept with the grant
-- so that the tokens of its code and of every refresh, and UserInfo, give the same ones. JSON
-- `{"userinfo": [names], "id_token": [names]}`; NULL when the request had none.
ALTER TABLE grants ADD COLUMN claims TEXT;
