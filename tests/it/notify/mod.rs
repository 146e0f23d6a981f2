//! Message delivery (`src/notify/`): invitations by SMTP and by SMS webhook against in-test servers, the dev outbox
//! and its admin API when neither is configured, a mail server that is down, and the delivery queue of the code
//! flows.

mod codes;
mod deliveries;
mod invitations;
mod outbox;
pub mod servers;
