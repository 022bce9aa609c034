-- Up Migration

-- Transcripts (events.data), raw callback bodies and analyses run to several KB, so Postgres compresses them
-- (TOAST). Its default, pglz, costs a lot of CPU per row at thousands of callbacks a second; lz4 is
-- several times cheaper for the same job. Servers built without lz4 keep pglz.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    ALTER TABLE events ALTER COLUMN data SET COMPRESSION lz4;
    ALTER TABLE callbacks ALTER COLUMN body SET COMPRESSION lz4;
    ALTER TABLE feedback_scores ALTER COLUMN analysis SET COMPRESSION lz4;
  END IF;
END $$;

-- Down Migration
ALTER TABLE events ALTER COLUMN data SET COMPRESSION default;
ALTER TABLE callbacks ALTER COLUMN body SET COMPRESSION default;
ALTER TABLE feedback_scores ALTER COLUMN analysis SET COMPRESSION default;
