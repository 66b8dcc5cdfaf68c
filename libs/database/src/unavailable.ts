import { Prisma } from './generated/client.js';

// Prisma's codes for "the server cannot be reached or dropped the connection", and the pg adapter's kinds.
const UNREACHABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const UNREACHABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
// SQLSTATE classes 08 (connection exception) and 57P (shutting down, starting up, crash recovery).
const UNREACHABLE_SQLSTATE = /^(08|57P)/;

interface AdapterCause {
  kind?: string;
  originalCode?: string;
  code?: string;
}

/** True when an error means Postgres is down or restarting, not that the query was wrong: try again later. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (UNREACHABLE_CODES.has(error.code)) return true;
  const cause = (error.meta as { driverAdapterError?: { cause?: AdapterCause } } | undefined)?.driverAdapterError?.cause;
  if (!cause) return false;
  if (cause.kind && UNREACHABLE_KINDS.has(cause.kind)) return true;
  const sqlstate = cause.originalCode ?? cause.code;
  return cause.kind === 'postgres' && typeof sqlstate === 'string' && UNREACHABLE_SQLSTATE.test(sqlstate);
}
