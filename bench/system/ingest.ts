// Ingest, upload → READY, through the API, beside OpenCV reading the same images from disk in one Python process.
import { execFileSync } from 'node:child_process';
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatasetTiming } from '#libs/contracts';
import { poll, type DatasetView, type TrainyardClient } from '#libs/client';
import type { ImageSet } from './data.js';

export interface IngestResult {
  set: ImageSet;
  images: number;
  spec: { width: number; height: number };
  datasetId: string;
  /** Seconds from the start of the upload request to READY (the worker's recorded instant), and to the 2xx answer. */
  wallSeconds: number;
  requestSeconds: number;
  timing: DatasetTiming | null;
  /** When the client sent the upload, epoch ms. */
  sentAt: number;
  opencv: { imagesPerSecond: number; version: string } | null;
  dataset: DatasetView;
}

/** Uploads a zip from disk as a user does (a file-backed Blob, streamed) and waits for READY. */
export async function ingest(client: TrainyardClient, set: ImageSet, spec: { width: number; height: number }, force = false): Promise<Omit<IngestResult, 'opencv'>> {
  const form = new FormData();
  form.append('file', await openAsBlob(set.zipPath, { type: 'application/zip' }), `${set.name}.zip`);
  form.append('width', String(spec.width));
  form.append('height', String(spec.height));
  if (force) form.append('force', 'true');
  const sentAt = Date.now();
  const response = await fetch(`${client.baseUrl}/datasets`, { method: 'POST', body: form, headers: client.authHeaders });
  const requestSeconds = (Date.now() - sentAt) / 1000;
  if (!response.ok) throw new Error(`upload of ${set.name} answered ${response.status}: ${await response.text()}`);
  const { id } = (await response.json()) as { id: string };
  const dataset = await poll(() => client.getDataset(id), (d) => d.status === 'READY' || d.status === 'FAILED', 30 * 60_000, 50);
  if (dataset.status !== 'READY') throw new Error(`dataset ${set.name} ended ${dataset.status}: ${dataset.error}`);
  const timing = (dataset as { timing?: DatasetTiming | null }).timing ?? null;
  const readyAt = timing?.finish ? Date.parse(timing.finish.readyAt) : Date.now();
  return { set, images: dataset.numSamples, spec, datasetId: id, wallSeconds: (readyAt - sentAt) / 1000, requestSeconds, timing, sentAt, dataset };
}

/** bench/preprocess_opencv.py on the same images as files: imread, gray, INTER_AREA resize, /255, one at a time. */
export async function opencv(python: string, script: string, set: ImageSet, spec: { width: number; height: number }): Promise<{ imagesPerSecond: number; version: string }> {
  const work = await mkdtemp(join(tmpdir(), 'trainyard-bench-opencv-'));
  try {
    const list = join(work, 'list.txt');
    await writeFile(list, set.files.join('\n'));
    const out = execFileSync(python, [script, list, String(spec.width), String(spec.height), '1', join(work, 'out.f32')], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const lines = out.trim().split('\n').map((line) => JSON.parse(line) as { imagesPerSecond?: number; opencv?: string });
    return { imagesPerSecond: lines[0]!.imagesPerSecond!, version: lines.find((l) => l.opencv)?.opencv ?? '?' };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export interface Step {
  name: string;
  seconds: number;
  note?: string;
}

/**
 * The wall time cut into steps that follow one another, from the recorded instants; the chunk span is shared
 * out by the chunks' own step sums (they overlap across workers), so the steps add up to the wall time.
 */
export function ingestSteps(r: Omit<IngestResult, 'opencv'>): Step[] {
  const t = r.timing;
  if (!t) return [{ name: 'upload → READY (no timing recorded)', seconds: r.wallSeconds }];
  const at = (iso: string) => (Date.parse(iso) - r.sentAt) / 1000;
  const u = t.upload;
  const steps: Step[] = [
    { name: 'request reaches the upload route (connect, key check)', seconds: at(u.receivedAt) },
    { name: 'upload: body streamed to a temp file', seconds: u.receiveSeconds },
    { name: 'check: zip layout and limits', seconds: u.checkSeconds },
    { name: 'hashing: SHA-256 of the upload', seconds: u.hashSeconds },
    { name: 'storage: zip into Postgres (blob) + dataset row', seconds: u.storeSeconds },
  ];
  const apiEnd = at(u.receivedAt) + u.receiveSeconds + u.checkSeconds + u.hashSeconds + u.storeSeconds;
  if (t.split && t.chunks && t.finish) {
    const splitAt = at(t.split.startedAt);
    steps.push({ name: 'queued: enqueue, answer, a worker takes the dataset job', seconds: splitAt - apiEnd });
    steps.push({ name: `split into ${t.split.chunks} chunk job(s)`, seconds: t.split.seconds });
    const chunksStart = at(t.chunks.startedAt);
    const chunksEnd = at(t.chunks.endedAt);
    steps.push({ name: 'chunk jobs picked up', seconds: chunksStart - (splitAt + t.split.seconds) });
    const span = chunksEnd - chunksStart;
    const c = t.chunks;
    const total = c.openSeconds + c.preprocessSeconds + c.writeSeconds || 1;
    const work = c.images.readSeconds + c.images.hashSeconds + c.images.decodeSeconds || 1;
    const preprocess = (span * c.preprocessSeconds) / total;
    steps.push({ name: 'chunks: dataset row + zip directory read from Postgres', seconds: (span * c.openSeconds) / total });
    steps.push({ name: 'chunks: zip entries read from Postgres', seconds: (preprocess * c.images.readSeconds) / work });
    steps.push({ name: 'chunks: hashing each image (duplicates)', seconds: (preprocess * c.images.hashSeconds) / work });
    steps.push({ name: 'chunks: decode + resize (sharp)', seconds: (preprocess * c.images.decodeSeconds) / work });
    steps.push({ name: 'chunks: row writes (binary COPY)', seconds: (span * c.writeSeconds) / total });
    const finishAt = at(t.finish.startedAt);
    steps.push({ name: 'last chunk done → the dataset job resumes', seconds: finishAt - chunksEnd });
    steps.push({ name: 'splits (one UPDATE) + duplicates + READY', seconds: t.finish.splitsSeconds });
  }
  const counted = steps.reduce((sum, s) => sum + s.seconds, 0);
  steps.push({ name: 'unaccounted', seconds: r.wallSeconds - counted });
  return steps;
}
