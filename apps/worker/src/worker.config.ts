import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';
import { commonEnv, intVar, loadConfig } from '#libs/config';
import { BACKEND_PREFERENCES } from '#libs/contracts';

export const WorkerEnvSchema = z.object({
  ...commonEnv,
  /** Preprocessing jobs (dataset splits and chunks) run at once by this process. */
  PREPROCESS_CONCURRENCY: intVar(1, 64, 1),
  /** Images decoded at once inside one preprocessing job (sharp also threads each image). */
  PREPROCESS_IMAGE_CONCURRENCY: intVar(1, 64, 4),
  /** Images per chunk job: a dataset's chunks are spread over every worker. */
  PREPROCESS_CHUNK_SIZE: intVar(1, 1_000_000, 1_000),
  /** Most bytes of stored pixels per chunk job: big images make smaller chunks, so a chunk's memory stays bounded. */
  PREPROCESS_CHUNK_MB: intVar(1, 16_384, 64),
  /** Runs trained at once by this process, each in its own thread; one fills a CPU or a GPU. */
  TRAIN_CONCURRENCY: intVar(1, 16, 1),
  /** The TensorFlow.js backend: auto takes a real GPU first (tfjs-node-gpu, then webgpu), then the CPU backends. */
  TRAIN_BACKEND: z.enum(BACKEND_PREFERENCES).default('auto'),
  /**
   * Read by the Vulkan loader itself (so by Dawn, for webgpu): the ICD manifests it may use, e.g. SwiftShader's.
   * Listed here so that a path that does not exist is named at start instead of showing up as "no adapter".
   */
  VK_ICD_FILENAMES: z
    .string()
    .refine((paths) => paths.split(':').every((path) => existsSync(path)), 'every path (colon-separated) must be an existing ICD manifest')
    .optional(),
  /**
   * A run is checkpointed every `checkpointEvery` epochs but at most this often: short epochs share one
   * checkpoint every this many seconds (a crash then repeats at most this much training). 0: every epoch.
   */
  CHECKPOINT_SECONDS: intVar(0, 86_400, 30),
  /** Checkpoints kept per run (the newest ones). */
  CHECKPOINTS_KEPT: intVar(1, 1000, 3),
  /** How long a job's lock lasts without renewal; a dead worker's job is taken back after about this long. */
  JOB_LOCK_MS: intVar(1_000, 600_000, 30_000),
  /** Times workers may die holding one job (without it making progress) before it ends FAILED. */
  JOB_CRASH_LIMIT: intVar(1, 100, 3),
  /** How often the reconciler (one worker at a time) queues again the jobs Redis lost; within 30 s by default. */
  RECONCILE_INTERVAL_MS: intVar(200, 600_000, 10_000),
  /** If set, touched on every heartbeat so a container healthcheck can see the worker is alive. */
  HEARTBEAT_FILE: z.string().min(1).optional(),
  WORKER_NAME: z.string().min(1).default(hostname()),
  /** If set, this worker serves /metrics, /health/live and /health/ready on this port (0 picks a free one). */
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
});
export type WorkerConfig = z.infer<typeof WorkerEnvSchema>;

export const WORKER_CONFIG = Symbol('WORKER_CONFIG');

export function loadWorkerConfig(env?: Record<string, string | undefined>): WorkerConfig {
  return loadConfig(WorkerEnvSchema, env);
}
