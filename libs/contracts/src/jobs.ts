/** The BullMQ queues. Preprocessing and training are separate so each can have its own workers and concurrency. */
export enum QueueName {
  Preprocess = 'preprocess',
  Train = 'train',
  /** Runs that need a GPU: only workers whose backend runs on one take from this queue. */
  TrainGpu = 'train-gpu',
}

export enum JobName {
  /** Splits a dataset's images into chunk jobs, then, once all are stored, marks the dataset READY. */
  PreprocessDataset = 'preprocess-dataset',
  /** Preprocesses and stores images [start, end) of a dataset, counted in the order they sit in its zip; any worker may take any chunk. */
  PreprocessChunk = 'preprocess-chunk',
  TrainRun = 'train-run',
}

/** A job carries ids only: the database row is the truth. */
export interface JobPayloads {
  [JobName.PreprocessDataset]: { datasetId: string; step?: 'split' | 'finish' };
  [JobName.PreprocessChunk]: { datasetId: string; start: number; end: number };
  [JobName.TrainRun]: { runId: string };
}

export type JobData<N extends JobName> = JobPayloads[N];

/** Per job: its queue (a train run's may be TrainGpu instead: see trainQueueOf), and the row id it is enqueued under so enqueueing the same row twice is harmless. */
export const JOBS: { readonly [N in JobName]: { queue: QueueName; idOf: (data: JobData<N>) => string } } = {
  [JobName.PreprocessDataset]: { queue: QueueName.Preprocess, idOf: (data) => data.datasetId },
  [JobName.PreprocessChunk]: { queue: QueueName.Preprocess, idOf: (data) => `${data.datasetId}-${data.start}` },
  [JobName.TrainRun]: { queue: QueueName.Train, idOf: (data) => data.runId },
};
