-- Up Migration

-- Every analyzer version that has a feedback build, and whether that build is complete. A build is
-- `building` from the moment a rebuild starts until it has caught up and been switched live once;
-- after that it can be switched back to at any time (`tavus-feedback feedback use`).
CREATE TABLE feedback_builds (
  analyzer      text        PRIMARY KEY,
  status        text        NOT NULL CHECK (status IN ('building', 'built')),
  started_at    timestamptz NOT NULL DEFAULT now(),
  built_at      timestamptz,
  -- How many conversations the rebuild scored and how long it took, for `tavus-feedback analyzers`.
  scored        bigint,
  seconds       double precision
);

-- A database already serving feedback has a complete build of its live analyzer.
INSERT INTO feedback_builds (analyzer, status, built_at)
SELECT analyzer, 'built', switched_at FROM feedback_live;

-- Down Migration
DROP TABLE feedback_builds;
