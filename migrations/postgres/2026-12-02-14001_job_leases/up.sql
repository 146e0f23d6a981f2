-- Periodic background work shared by every instance on the database (purging expired rows): an instance runs a
-- job only after taking its turn with a conditional UPDATE of `next_run_at`, so two instances never run it twice
-- in one period.
CREATE TABLE job_leases (
    job TEXT PRIMARY KEY NOT NULL,
    next_run_at BIGINT NOT NULL
);
