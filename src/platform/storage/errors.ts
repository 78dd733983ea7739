// Which driver errors mean "try again later" (the request was fine; the database was not).
// Kept here because only storage/ knows the drivers; the server maps these to 503 + Retry-After.
const PG_TRANSIENT = new Set([
  '08000',
  '08001',
  '08003',
  '08004',
  '08006', // connection exceptions
  '40001',
  '40P01', // serialization failure, deadlock
  '53000',
  '53100',
  '53200',
  '53300', // insufficient resources, too many connections
  '57P01',
  '57P02',
  '57P03', // admin shutdown, crash shutdown, cannot connect now
]);
const NET_TRANSIENT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// Of the PostgreSQL codes, those that mean the server could not be reached or is going away, not
// that the query was refused: connection exceptions, shutdown, "cannot connect now" (starting up).
const PG_UNREACHABLE = new Set(['08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03']);
// pg's own errors for a connection that timed out, was closed under it, or is already broken.
const UNREACHABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended/i;
const SQLITE_TRANSIENT = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_IOERR']);

export function isTransientStorageError(err: unknown): boolean {
  for (
    let e = err as { code?: unknown; cause?: unknown; message?: unknown } | undefined, depth = 0;
    e && depth < 4;
    e = e.cause as typeof e, depth++
  ) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (
      PG_TRANSIENT.has(code) ||
      NET_TRANSIENT.has(code) ||
      SQLITE_TRANSIENT.has(code) ||
      code.startsWith('SQLITE_BUSY') ||
      code.startsWith('SQLITE_IOERR')
    )
      return true;
    if (typeof e.message === 'string' && UNREACHABLE_MESSAGE.test(e.message)) return true;
  }
  return false;
}

/**
 * Whether a PostgreSQL error means the server could not be reached (refused, timed out, closed,
 * shutting down), as opposed to an answer refusing the query: a read replica's failures of this
 * kind send reads to the primary (decisions/0051); a query error never does.
 */
export function isConnectionError(err: unknown): boolean {
  for (
    let e = err as { code?: unknown; cause?: unknown; message?: unknown; errors?: unknown } | undefined, depth = 0;
    e && depth < 4;
    e = e.cause as typeof e, depth++
  ) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (PG_UNREACHABLE.has(code) || NET_TRANSIENT.has(code)) return true;
    if (typeof e.message === 'string' && UNREACHABLE_MESSAGE.test(e.message)) return true;
    // Node's connect to a name with several addresses fails with an AggregateError of each attempt.
    if (Array.isArray(e.errors) && e.errors.length && e.errors.every(isConnectionError)) return true;
  }
  return false;
}
