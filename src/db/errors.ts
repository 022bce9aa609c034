// Postgres errors that matter to us, by SQLSTATE, with what they mean for the caller.
// https://www.postgresql.org/docs/current/errcodes-appendix.html

/** The database cannot serve us right now: answer 503 so the sender retries later. */
const UNAVAILABLE_CODES = new Set([
  '08000', // connection_exception
  '08003', // connection_does_not_exist
  '08006', // connection_failure
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08004', // sqlserver_rejected_establishment_of_sqlconnection
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '53300', // too_many_connections
  '53100', // disk_full
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '57014', // query_canceled: our statement_timeout fired, the database is too slow right now
  '55P03', // lock_not_available: another appender held the append lock past its lock_timeout
]);

/** Node's socket errors when the server is not there at all. */
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);

function codeOf(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

export function isDatabaseUnavailable(err: unknown): boolean {
  const code = codeOf(err);
  if (code && (UNAVAILABLE_CODES.has(code) || UNAVAILABLE_ERRNOS.has(code))) return true;
  const message = err instanceof Error ? err.message : '';
  // pg reports these without a code.
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection refused/i.test(message);
}

/** Class 22 (data exception): the values we sent were refused, e.g. text Postgres cannot store. */
export function isDataException(err: unknown): boolean {
  return codeOf(err)?.startsWith('22') ?? false;
}
