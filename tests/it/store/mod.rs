mod keys;
mod maintenance;
mod parity;
mod races;
