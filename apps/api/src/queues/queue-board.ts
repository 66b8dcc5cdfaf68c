import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { QueueName } from '#libs/contracts';
import { JobQueue } from '#libs/queue';
import { ApiKeysService } from '../auth/api-keys.service.js';
import { bearerToken } from '../auth/authenticate.guard.js';

export const QUEUE_BOARD_PATH = '/queues';

/** Bull Board for admins at /queues: every queue's jobs, their data, errors and retries. */
export function mountQueueBoard(app: INestApplication): void {
  const adapter = new ExpressAdapter().setBasePath(QUEUE_BOARD_PATH);
  const jobs = app.get(JobQueue);
  createBullBoard({
    queues: Object.values(QueueName).map((name) => new BullMQAdapter(jobs.queue(name))),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'Trainyard queues' } },
  });
  app.use(QUEUE_BOARD_PATH, adminOnly(app.get(ApiKeysService)), adapter.getRouter());
}

/**
 * The board is a page a browser opens, and its own scripts call its API without our Bearer header, so it also
 * takes the key as the password of HTTP Basic auth, which the browser asks for once and then sends itself.
 */
function adminOnly(keys: ApiKeysService) {
  return (req: Request, res: Response, next: NextFunction) => {
    const key = bearerToken(req.headers.authorization) ?? basicPassword(req.headers.authorization);
    const refuse = (status: number, message: string) => {
      if (status === 401) res.setHeader('www-authenticate', 'Basic realm="Trainyard queues (an admin API key as the password)"');
      res.status(status).json({ statusCode: status, error: status === 401 ? 'Unauthorized' : 'Forbidden', message });
    };
    if (!key) return refuse(401, 'an admin API key is required: Authorization: Bearer <key>, or Basic auth with the key as password');
    keys.authenticate(key).then(
      (principal) => {
        if (!principal) return refuse(401, 'unknown or revoked API key');
        if (principal.role !== 'admin') return refuse(403, `the queue board is for admins; this key is a ${principal.role}`);
        next();
      },
      (error: Error) => next(error),
    );
  };
}

function basicPassword(header: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) || undefined : undefined;
}
