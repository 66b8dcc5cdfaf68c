import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { LogOptions } from '#libs/config';
import { currentLogFields } from './log-fields.js';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * pino for a whole app: JSON lines (pretty ones in development), the request id on every line logged while a
 * request is handled, and whatever `withLogFields` set (a job's ids) on every line logged inside it.
 */
export function loggingModule(options: LogOptions): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level: options.level,
      // A caller's own id is kept so a request can be followed across services; otherwise one is made.
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      customProps: (req: IncomingMessage) => ({ reqId: (req as IncomingMessage & { id: string }).id }),
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      mixin: currentLogFields,
      transport: options.format === 'pretty' ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } : undefined,
    },
  });
}
