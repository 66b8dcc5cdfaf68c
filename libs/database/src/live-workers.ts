import { LIVE_WORKER_WINDOW_MS } from '#libs/contracts';

/** The Prisma filter for workers that are live now: not stopped, and a heartbeat inside the window. */
export function liveWorkersWhere() {
  return { stoppedAt: null, lastHeartbeatAt: { gt: new Date(Date.now() - LIVE_WORKER_WINDOW_MS) } };
}
