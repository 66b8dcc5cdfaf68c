import { StandardSchemaValidationPipe } from '@nestjs/common';
import { DomainError } from './domain-error.js';

/** One app-wide pipe: zod schemas on the parameters; a failure names each bad field. */
export const validationPipe = new StandardSchemaValidationPipe({
  exceptionFactory: (issues) => {
    const details = issues.map((issue) => ({
      field: (issue.path ?? []).map((p) => (typeof p === 'object' ? p.key : p)).join('.') || '(body)',
      message: issue.message,
    }));
    return new DomainError('INVALID_INPUT', details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
  },
});
