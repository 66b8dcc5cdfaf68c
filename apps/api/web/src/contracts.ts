// The API's response shapes, from libs/contracts (type-only, so nothing of zod reaches the bundle).
import type { Architecture, ModelView, RunStatusName } from '#libs/contracts';
export type {
  ApiKeyRole, ClassScore, CreatedBy, DatasetView, EpochMetrics, EvaluationView, FinalMetrics, HistoryEntry, Inspection, LayerSpec,
  Misclassified, ModelSummary, ModelView, OptimizerSpec, Page, RunComparison, RunSummary, RunView, WorkerView,
} from '#libs/contracts';

// A value imported by its path: the index would bundle zod. The same flattening GET /runs/compare uses.
export { hyperparameterFields, hyperparametersOf, type HyperparameterValue } from '../../../../libs/contracts/src/hyperparameters.js';

export type RunStatus = RunStatusName;
export type ModelVersionView = ModelView['versions'][number];
/** A version's architecture, which the view carries as an open record. */
export const architectureOf = (version: ModelVersionView) => version.architecture as unknown as Architecture;
/** The dataset a version was trained on, as its lineage recorded it. */
export const lineageDataset = (version: ModelVersionView) => version.lineage.dataset as { id: string; name: string } | null;

// Values, not types: spelled out here because importing them would bundle zod; `satisfies` keeps them in step.
export const RUN_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const satisfies readonly RunStatus[];
export const TERMINAL: readonly RunStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
