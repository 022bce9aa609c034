import pg from 'pg';

// Which URL may hold a session. A transaction pooler (Supavisor on Supabase's port 6543, PgBouncer
// with pool_mode=transaction) hands each transaction to whichever server connection is free, so
// session state is lost or, worse, left behind for another client: a LISTEN hears nothing, and a
// session lock taken by the migrations could stay held on a server connection nobody owns. Everything
// the service does per request works through such a pooler; migrations and LISTEN need a session,
// from DATABASE_DIRECT_URL when DATABASE_URL is pooled.

export class DatabaseSetupError extends Error {
  override name = 'DatabaseSetupError';
}

async function backendPid(client: pg.Client): Promise<number> {
  return (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
}

/**
 * Whether `url` is a transaction pooler, told by whose server session answers: on a direct
 * connection (or a session pooler) a client keeps its own session and two clients never share one.
 * One client asks, a second opens a transaction (holding the session it gets) and asks, and the first
 * asks again: through a transaction pooler the second gets the session the first just gave back, or
 * the first has to move to another one.
 */
export async function isTransactionPooler(url: string): Promise<boolean> {
  const a = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  const b = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  a.on('error', () => {});
  b.on('error', () => {});
  try {
    await a.connect();
    await b.connect();
    const first = await backendPid(a);
    await b.query('BEGIN');
    const other = await backendPid(b);
    const again = await backendPid(a);
    await b.query('COMMIT');
    return other === first || again !== first;
  } finally {
    await a.end().catch(() => {});
    await b.end().catch(() => {});
  }
}

export interface DatabaseUrls {
  /** DATABASE_URL: everything per request goes through it. */
  url: string;
  /** Migrations and LISTEN: DATABASE_DIRECT_URL, or DATABASE_URL when that keeps sessions. */
  sessionUrl: string;
  /** DATABASE_URL is (or may be) a transaction pooler: no session settings on its connections. */
  pooled: boolean;
}

/** Checks the URLs before anything uses them; refuses, saying what to set, when a session is missing. */
export async function checkDatabaseUrls(url: string, directUrl: string | undefined): Promise<DatabaseUrls> {
  if (directUrl) {
    if (await isTransactionPooler(directUrl)) {
      throw new DatabaseSetupError(
        'DATABASE_DIRECT_URL reaches Postgres through a transaction pooler (two clients were served by one server session); ' +
          'it must be a direct or session-mode connection (on Supabase: the direct connection string, or the session pooler on port 5432)',
      );
    }
    return { url, sessionUrl: directUrl, pooled: true };
  }
  if (await isTransactionPooler(url)) {
    throw new DatabaseSetupError(
      'DATABASE_URL reaches Postgres through a transaction pooler (two clients were served by one server session), and migrations ' +
        'and LISTEN need a session of their own: set DATABASE_DIRECT_URL to a direct or session-mode connection to the same database ' +
        '(on Supabase: the direct connection string, or the session pooler on port 5432) and keep DATABASE_URL for everything else',
    );
  }
  return { url, sessionUrl: url, pooled: false };
}
