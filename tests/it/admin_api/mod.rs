mod clients;
mod errors;
mod groups;
mod pools;
mod schemas;
mod tenants;
mod users;
mod workspaces;
