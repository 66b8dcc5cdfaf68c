import { Injectable, Logger, type MessageEvent, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Observable, type Subscriber } from 'rxjs';
import { RunEvents } from '#libs/queue';

/** Re-read this often even without an announcement, so a lost one or a Redis outage only slows a stream. */
export const RESCAN_MS = 3_000;
/** A comment this often keeps proxies from closing a quiet stream, and finds clients that left. */
const KEEP_ALIVE_MS = 15_000;

/** What one stream reads from Postgres, the truth; it keeps its own place in what it has sent. */
export interface StreamSource {
  /** Whether an announcement about this run may concern the stream. */
  concerns(runId: string): boolean;
  /** The events not sent yet; `done` ends the stream after them, `more` reads again at once. */
  read(): Promise<{ events: MessageEvent[]; done?: boolean; more?: boolean }>;
}

/**
 * The API's live streams: one Redis subscription per process, whose "run X changed" wakes the streams it
 * concerns to re-read Postgres, besides a slow timer. Streams end when their client leaves or the API stops.
 */
@Injectable()
export class LiveStreams implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('LiveStreams');
  private readonly wakers = new Set<(runId: string) => void>();
  private readonly open = new Set<Subscriber<MessageEvent>>();
  private unsubscribe?: () => void;

  constructor(private readonly runEvents: RunEvents) {}

  async onModuleInit(): Promise<void> {
    this.unsubscribe = await this.runEvents.listen((runId) => this.wakers.forEach((wake) => wake(runId)));
  }

  /** Before the HTTP server closes, which would otherwise wait for every open stream. */
  onModuleDestroy(): void {
    this.unsubscribe?.();
    for (const subscriber of this.open) subscriber.complete();
  }

  /** How many streams are open (a leak check for tests). */
  get size(): number {
    return this.open.size;
  }

  stream(source: StreamSource): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      let reading = false;
      let again = false;
      // One read at a time; a wake during a read makes it read once more, so no change is left unread.
      const pump = async (): Promise<void> => {
        if (reading) {
          again = true;
          return;
        }
        reading = true;
        try {
          do {
            again = false;
            const { events, done, more } = await source.read();
            if (subscriber.closed) return;
            events.forEach((event) => subscriber.next(event));
            if (done) return subscriber.complete();
            again ||= more === true;
          } while (again && !subscriber.closed);
        } catch (error) {
          // Postgres away for a moment: the next wake or rescan reads again.
          this.logger.warn(`stream read failed: ${(error as Error).message}`);
        } finally {
          reading = false;
        }
      };
      const wake = (runId: string) => {
        if (source.concerns(runId)) void pump();
      };
      const rescan = setInterval(() => void pump(), RESCAN_MS);
      const keepAlive = setInterval(() => subscriber.next({ comment: 'keep-alive' }), KEEP_ALIVE_MS);
      this.wakers.add(wake);
      this.open.add(subscriber);
      void pump();
      return () => {
        clearInterval(rescan);
        clearInterval(keepAlive);
        this.wakers.delete(wake);
        this.open.delete(subscriber);
      };
    });
  }
}
