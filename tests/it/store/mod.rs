mod maintenance;
mod parity;
mod races;
