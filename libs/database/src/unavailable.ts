import pg from 'pg';
import { Prisma } from './generated/client.js';

// Prisma's codes for "the server cannot be reached or dropped the connection", and the pg adapter's kinds.
const UNREACHABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
const UNREACHABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
// SQLSTATE classes 08 (connection exception) and 57P (shutting down, starting up, crash recovery).
const UNREACHABLE_SQLSTATE = /^(08|57P)/;
// What `pg` itself (PgBinary's pool) throws: socket errors by code; a dropped or never-made connection has no code, only these messages.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);
const PG_CONNECTION_LOST = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

interface AdapterCause {
  kind?: string;
  originalCode?: string;
  code?: string;
}

/** True when an error means Postgres is down or restarting, not that the query was wrong: try again later. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  if (error instanceof pg.DatabaseError) return UNREACHABLE_SQLSTATE.test(error.code ?? '');
  if (error instanceof Error && !(error instanceof Prisma.PrismaClientKnownRequestError)) {
    const code = (error as { code?: unknown }).code;
    return (typeof code === 'string' && SOCKET_CODES.has(code)) || PG_CONNECTION_LOST.test(error.message);
  }
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (UNREACHABLE_CODES.has(error.code)) return true;
  const cause = (error.meta as { driverAdapterError?: { cause?: AdapterCause } } | undefined)?.driverAdapterError?.cause;
  if (!cause) return false;
  if (cause.kind && UNREACHABLE_KINDS.has(cause.kind)) return true;
  const sqlstate = cause.originalCode ?? cause.code;
  return cause.kind === 'postgres' && typeof sqlstate === 'string' && UNREACHABLE_SQLSTATE.test(sqlstate);
}
