import { ApiError } from '#libs/client';
import { ConfigError } from '#libs/config';

/** A problem the CLI reports as it is, without a stack: bad input, a run that ended badly. */
export class CliError extends Error {}

const NETWORK_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** Any failure as one line naming the problem: the API's own message for HTTP errors, the URL when it cannot be reached. */
export function describeError(error: unknown, url: string | undefined): string {
  return oneLine(explain(error, url));
}

function explain(error: unknown, url: string | undefined): string {
  if (error instanceof ApiError) return `HTTP ${error.status}${error.body.error ? ` ${error.body.error}` : ''}: ${error.body.message ?? 'no message'}`;
  if (error instanceof ConfigError) return `bad environment: ${error.problems.join('; ')}`;
  if (error instanceof CliError) return error.message;
  const cause = networkCause(error);
  if (cause !== undefined) return `cannot reach the Trainyard API at ${url ?? '(no URL)'}: ${cause} (is it running? TRAINYARD_URL sets where)`;
  const file = error as NodeJS.ErrnoException;
  // Node's "ENOENT: no such file or directory, open 'x'" → "x: no such file or directory".
  if (file?.path && file.code) return `${file.path}: ${file.message.replace(/^\w+: /, '').replace(/, \w+ '.*'$/, '')}`;
  return error instanceof Error ? error.message : String(error);
}

/** fetch's TypeError("fetch failed") carries the socket's error (or an AggregateError of them) as its cause. */
function networkCause(error: unknown): string | undefined {
  if (!(error instanceof TypeError) || !(error.cause instanceof Error)) return undefined;
  const cause = error.cause as NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[] };
  const code = cause.code ?? cause.errors?.[0]?.code;
  return code ? (NETWORK_CAUSES[code] ?? `${code}: ${cause.message}`) : cause.message;
}

export const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
