/**
 * Names of the Prometheus series Trainyard exports. The API, the workers, the Kubernetes manifests (KEDA's
 * query) and their tests all read them from here, so a rename cannot leave a dashboard or scaler behind.
 */
export const METRIC = {
  /** BullMQ's own exporter: jobs per queue and state (waiting, prioritized, active, delayed, …). */
  queueJobs: 'bullmq_job_count',
  httpDuration: 'trainyard_http_request_duration_seconds',
  runs: 'trainyard_runs',
  epochs: 'trainyard_worker_epochs_total',
  samplesPerSecond: 'trainyard_worker_samples_per_second',
  preprocessedImages: 'trainyard_worker_preprocessed_images_total',
  preprocessImagesPerSecond: 'trainyard_worker_preprocess_images_per_second',
} as const;

/** Job states that mean "work for a worker": what the autoscaler sizes the worker pool by. */
export const BACKLOG_STATES = ['waiting', 'prioritized', 'active'] as const;
