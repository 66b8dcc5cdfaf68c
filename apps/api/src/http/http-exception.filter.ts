import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, type DomainErrorCode } from './domain-error.js';
import { OUTAGE_RETRY_AFTER_S, outageMessage } from './outage.js';

const STATUS: Record<DomainErrorCode, number> = {
  INVALID_INPUT: HttpStatus.BAD_REQUEST,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  CONFLICT: HttpStatus.CONFLICT,
  TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
};

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

/** Every error leaves the API as { statusCode, error, message, details? }. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const body = this.toBody(exception);
    if (body.statusCode >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : exception);
    const response = host.switchToHttp().getResponse<Response>();
    if (body.statusCode === HttpStatus.SERVICE_UNAVAILABLE) response.setHeader('Retry-After', String(OUTAGE_RETRY_AFTER_S));
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) {
      const statusCode = STATUS[exception.code];
      return { statusCode, error: reason(statusCode), message: exception.message, details: exception.details };
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
      return { statusCode, error: reason(statusCode), message: Array.isArray(message) ? message.join('; ') : String(message ?? exception.message) };
    }
    const outage = outageMessage(exception);
    if (outage) return { statusCode: 503, error: reason(503), message: outage };
    return { statusCode: 500, error: reason(500), message: 'Internal server error' };
  }
}

function reason(status: number): string {
  const name = HttpStatus[status] ?? 'ERROR';
  return name.toLowerCase().split('_').map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ');
}
