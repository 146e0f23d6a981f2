mod deliveries;
mod keys;
mod maintenance;
mod parity;
