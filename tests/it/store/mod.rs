mod deliveries;
mod maintenance;
mod parity;
mod races;
mod users;
