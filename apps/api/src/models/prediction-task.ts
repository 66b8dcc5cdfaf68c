import type { Architecture } from '#libs/contracts';

/** An image as uploaded: its name for the answer, and the temporary file the thread reads. */
export interface ImageOnDisk {
  file: string;
  path: string;
}

/** What a prediction thread is handed: the version's shape, its weights (shared, not copied) and the images. */
export interface PredictionTask {
  architecture: Architecture;
  /** The stored weights blob (W0, b0, W1, b1, … little-endian float32), shared by every thread. */
  weights: SharedArrayBuffer;
  images: ImageOnDisk[];
}

/** Class probabilities per image, in order; or the first image that could not be decoded. */
export type PredictionOutcome = { probabilities: number[][] } | { badImage: { file: string; message: string } };
