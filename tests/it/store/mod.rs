mod keys;
mod maintenance;
mod parity;
