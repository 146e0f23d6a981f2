mod keys;
mod maintenance;
mod parity;
mod users;
