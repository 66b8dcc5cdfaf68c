import { Injectable } from '@nestjs/common';
import { RunSignals } from '#libs/queue';

/** Turns "run X was cancelled" broadcasts into an AbortSignal for the handler training X. */
@Injectable()
export class Cancellations {
  private readonly watched = new Map<string, AbortController>();
  private close?: () => void;

  constructor(private readonly signals: RunSignals) {}

  async start(): Promise<void> {
    this.close = await this.signals.onCancel((runId) => this.watched.get(runId)?.abort());
  }

  /** A signal that aborts when `runId` is cancelled; call release when the run is no longer trained here. */
  watch(runId: string): { signal: AbortSignal; release: () => void } {
    const controller = new AbortController();
    this.watched.set(runId, controller);
    return { signal: controller.signal, release: () => this.watched.delete(runId) };
  }

  async stop(): Promise<void> {
    this.close?.();
  }
}
