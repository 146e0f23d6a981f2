//! Message delivery (`src/notify/`): invitations by SMTP and by SMS webhook against in-test servers, the dev outbox
//! and its admin API when neither is configured, and a mail server that is down.

mod codes;
mod invitations;
mod outbox;
mod servers;
