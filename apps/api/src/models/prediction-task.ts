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

/** An inspection also names the version, for the answer the thread writes. */
export interface InspectionTask extends PredictionTask {
  modelId: string;
  version: number;
}

/** An image the thread could not decode, carried back as data: an Error's class does not survive the thread boundary. */
export interface BadImage {
  badImage: { file: string; message: string };
}

/** Class probabilities per image, in order. */
export type PredictionOutcome = { probabilities: number[][] } | BadImage;

/** The Inspection view as JSON bytes, written in the thread: a large input's text never costs the event loop. */
export type InspectionOutcome = { json: Uint8Array } | BadImage;

/** The thread's exported functions, by the name piscina calls them with. */
export interface ThreadFunctions {
  predict: { task: PredictionTask; outcome: PredictionOutcome };
  inspect: { task: InspectionTask; outcome: InspectionOutcome };
}
