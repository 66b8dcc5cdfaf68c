// The API's response shapes, from libs/contracts (type-only, so nothing of zod reaches the bundle).
export type { ApiKeyRole, ClassScore, CreatedBy, EvaluationView, LayerSpec, Misclassified, OptimizerSpec, RunPriority } from '#libs/contracts';
import type { CreatedBy, LayerSpec, OptimizerSpec, RunPriority } from '#libs/contracts';

// Issue 9's page, run, dataset, model and worker views: held here until the `history` branch lands them in libs/contracts.
export interface Page<T> { total: number; limit: number; offset: number; items: T[] }
export type RunStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export interface EpochMetrics { epoch: number; loss: number; accuracy: number; valLoss: number | null; valAccuracy: number | null; seconds: number; samplesPerSecond: number }
export interface FinalMetrics { epoch: number; loss: number; accuracy: number; valLoss: number | null; valAccuracy: number | null }
export interface HistoryEntry { id?: string; runId?: string; from: RunStatus | null; to: RunStatus; attempt: number; workerId: string | null; message: string | null; at: string }
export interface RunSummary {
  id: string; datasetId: string | null; model: { id: string; name: string }; status: RunStatus;
  layers: LayerSpec[]; optimizer: OptimizerSpec; batchSize: number; epochs: number; seed: number;
  validationSplit: number | null; loss: string; earlyStopping: { patience: number; minDelta?: number } | null; bias: boolean; checkpointEvery: number;
  attempt: number; workerId: string | null; backend: string | null; error: string | null;
  queuedAt: string; startedAt: string | null; finishedAt: string | null; createdBy: CreatedBy | null;
  final?: FinalMetrics | null; durationSeconds?: number;
  priority?: RunPriority; requires?: { gpu: boolean };
}
export interface RunView extends RunSummary {
  metrics: EpochMetrics[]; history: HistoryEntry[]; modelVersion: { id: string; version: number } | null;
  /** Where a QUEUED run waits and why. */
  waiting?: { position: number; reason: string } | null;
}
export interface SplitCounts { train: number; validation: number; test: number; total: number }
export interface DatasetView {
  id: string; name: string; status: 'PENDING' | 'PROCESSING' | 'READY' | 'FAILED'; width: number; height: number; channels: number;
  spec: Record<string, unknown>; numSamples: number; imageCount: number; classes: string[];
  skipped: { file: string; reason: string }[]; duplicates: string[][]; sizeBytes: { upload: number; samples: number };
  progress?: { stored: number; of: number }; counts?: { perClass: Record<string, SplitCounts>; perSplit: SplitCounts; emptyClasses: string[] };
  error?: string; createdAt: string; createdBy: CreatedBy | null;
}
export interface WorkerView { id: string; host: string; pid: number; backend: string; device: string; gpu?: boolean; currentJob: string | null; startedAt: string; lastHeartbeatAt: string }
export interface ModelSummary { id: string; name: string; createdAt: string; createdBy: CreatedBy | null; runs: number; latestVersion: { version: number; createdAt: string } | null }
export interface ModelVersionView {
  version: number; aliases: string[]; runId: string; createdAt: string; architecture: { inputSize: number; layers: LayerSpec[]; classes: string[]; input: { width: number; height: number; channels: number } };
  parameters: number; finalMetrics: FinalMetrics | null;
  lineage: { dataset: { id: string; name: string; contentHash?: string } | null; test: { samples: number; accuracy: number; loss: number } | null };
}
export interface ModelView { id: string; name: string; createdAt: string; createdBy: CreatedBy | null; aliases: Record<string, number>; versions: ModelVersionView[] }
/** GET /runs/compare (issue 9 point 4). */
export interface RunComparison {
  runs: RunSummary[];
  differing: string[];
  /** Per epoch, one metric row per run (null where a run has no such epoch). */
  series: { epoch: number; runs: (FinalMetrics | null)[] }[];
}

/** POST /models/:id/inspect: one image's forward pass; z = W·a + b and a = f(z) per layer, the last a the softmax. */
export interface Inspection {
  input: { width: number; height: number; channels: number; activations: number[][] };
  layers: { layer: number; units: number; activation: string; z: number[]; a: number[] }[];
  output: { label: string; probabilities: Record<string, number> };
}

export const RUN_STATUSES: RunStatus[] = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
export const TERMINAL: RunStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
