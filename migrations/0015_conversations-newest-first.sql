-- Up Migration

-- GET /conversations lists newest first, a page at a time, by (created_at, id) as the cursor: a
-- user's own (the common case) and everyone's (the operator). Both are index range scans, however
-- many conversations there are and however deep the page.
CREATE INDEX conversations_by_user_newest ON conversations (user_id, created_at DESC, id DESC);
CREATE INDEX conversations_newest ON conversations (created_at DESC, id DESC);
DROP INDEX conversations_by_user;

-- Down Migration
CREATE INDEX conversations_by_user ON conversations (user_id);
DROP INDEX conversations_newest;
DROP INDEX conversations_by_user_newest;
