/** How often a worker writes its heartbeat row. */
export const HEARTBEAT_INTERVAL_MS = 5_000;

/** A worker is live while its heartbeat is younger than this: three missed beats and it is gone. */
export const LIVE_WORKER_WINDOW_MS = 3 * HEARTBEAT_INTERVAL_MS;
