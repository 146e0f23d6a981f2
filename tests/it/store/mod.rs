mod maintenance;
mod parity;
