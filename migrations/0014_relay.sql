-- Up Migration

-- Where the relay to KurrentDB has read the history up to, in commit order (see
-- src/events/readAll.ts). Moved with a compare-and-set after every batch it has published, so a
-- relay that crashed, or lost its lease to another instance, resumes from the last batch it finished;
-- what it published after that is published again, and KurrentDB's idempotence on event ids turns
-- those repeats into nothing.
CREATE TABLE relay_checkpoints (
  name            text        PRIMARY KEY,
  transaction_id  xid8        NOT NULL DEFAULT '0',
  position        bigint      NOT NULL DEFAULT 0,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Jobs that must run in one instance at a time (the relay, later the projection runner and the
-- reconciliation sweeper): the owner renews its row every second or so; once it has not for the
-- lease's time to live, any other instance may take the row over (src/reactors/lease.ts). Times
-- are Postgres's own, so the instances' clocks need not agree.
CREATE TABLE leases (
  name         text        PRIMARY KEY,
  owner        text        NOT NULL,
  acquired_at  timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL
);

-- Down Migration
DROP TABLE leases;
DROP TABLE relay_checkpoints;
