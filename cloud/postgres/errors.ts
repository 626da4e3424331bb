/** SQLSTATEs of a connection lost or refused, and of a server shutting down or starting. */
const connectionStates = /^(08...|57P0[1-3])$/;
/** What the `pg` client and Node's sockets throw when the server is not there (no SQLSTATE). */
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const clientMessages =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;

/**
 * Whether an error says PostgreSQL was unreachable or went away (a restart, a failover), so the same
 * statement may succeed later; not whether the statement was refused (a constraint, a syntax error).
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (connectionStates.test(code) || socketCodes.has(code))) return true;
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  return clientMessages.test(error.message);
}
