/** Errors the services throw; the exception filter turns each code into an HTTP status. */
export type DomainErrorCode = 'INVALID_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'TOO_LARGE' | 'UNAVAILABLE';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalidInput = (field: string, problem: string, details?: unknown) =>
  new DomainError('INVALID_INPUT', `${field}: ${problem}`, details);

export const notFound = (what: string, id: string) => new DomainError('NOT_FOUND', `${what} ${id} not found`);
