import { Injectable, type MessageEvent } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { TERMINAL_RUN_STATUSES } from '#libs/contracts';
import { PrismaService, type RunEvent } from '#libs/database';
import { invalidInput, notFound } from '../http/domain-error.js';
import { toHistoryEntry, toMetricView } from '../runs/run.view.js';
import { LiveStreams } from './live-streams.js';
import { SequenceCursor } from './sequence-cursor.js';

/** Rows per read of GET /events; a longer replay reads again at once. */
const PAGE = 500;

const isTerminal = (event: RunEvent) => (TERMINAL_RUN_STATUSES as readonly string[]).includes(event.toStatus);

/** An SSE Last-Event-ID: a non-negative integer, or absent. */
function parseLastEventId(header: string | undefined): bigint | null {
  if (header === undefined || header === '') return null;
  if (!/^\d{1,18}$/.test(header)) throw invalidInput('Last-Event-ID', `expected the id of an event this stream sent, got "${header.slice(0, 40)}"`);
  return BigInt(header);
}

/** The two live streams, read from Postgres: one run's epochs and status changes, and every run's status changes. */
@Injectable()
export class EventsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly live: LiveStreams,
  ) {}

  /**
   * GET /runs/:id/events: the status history, then each epoch as it is stored (id = the epoch), then the
   * terminal status, and the end. Status events carry the id of the epoch before them, so Last-Event-ID
   * always says "epochs up to E received": a reconnect gets the run's current status and the epochs after E.
   */
  async run(runId: string, lastEventId?: string): Promise<Observable<MessageEvent>> {
    const resumeAfter = parseLastEventId(lastEventId);
    if (!(await this.prisma.run.findUnique({ where: { id: runId }, select: { id: true } }))) throw notFound('run', runId);
    let lastEpoch = Number(resumeAfter ?? 0n);
    let first = true;
    const sent = new Set<bigint>();
    const status = (event: RunEvent): MessageEvent => ({ type: 'status', id: String(lastEpoch), data: toHistoryEntry(event) });
    return this.live.stream({
      concerns: (id) => id === runId,
      read: async () => {
        // History first, metrics second: once the terminal status is read, every epoch before it is visible.
        const history = await this.prisma.runEvent.findMany({ where: { runId }, orderBy: { id: 'asc' } });
        if (history.length === 0) return { events: [], done: true }; // the run was deleted
        const metrics = await this.prisma.runMetric.findMany({ where: { runId, epoch: { gt: lastEpoch } }, orderBy: { epoch: 'asc' } });
        // A reconnecting client has seen the history up to now but the latest entry: that one says where the run stands.
        if (first && resumeAfter !== null) history.slice(0, -1).forEach((event) => sent.add(event.id));
        first = false;
        const fresh = history.filter((event) => !sent.has(event.id));
        fresh.forEach((event) => sent.add(event.id));
        const end = fresh.find(isTerminal);
        const events = fresh.filter((event) => event !== end).map(status);
        for (const metric of metrics) {
          lastEpoch = metric.epoch;
          events.push({ type: 'epoch', id: String(metric.epoch), data: toMetricView(metric) });
        }
        if (end) events.push(status(end));
        return { events, done: end !== undefined };
      },
    });
  }

  /** GET /events: every run's status changes from now on (id = the history entry's), or after Last-Event-ID. */
  async allRuns(lastEventId?: string): Promise<Observable<MessageEvent>> {
    const resumeAfter = parseLastEventId(lastEventId);
    const newest = resumeAfter ?? (await this.prisma.runEvent.findFirst({ orderBy: { id: 'desc' }, select: { id: true } }))?.id ?? 0n;
    const cursor = new SequenceCursor(newest);
    return this.live.stream({
      concerns: () => true,
      read: async () => {
        const rows = await this.prisma.runEvent.findMany({ where: cursor.where(), orderBy: { id: 'asc' }, take: PAGE });
        const events = cursor.accept(rows).map((event) => ({ type: 'status', id: event.id.toString(), data: toHistoryEntry(event) }));
        return { events, more: rows.length === PAGE };
      },
    });
  }
}
