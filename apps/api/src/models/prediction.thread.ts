import { readFile } from 'node:fs/promises';
import { predict, selectBackend } from '#libs/engine';
import { activationTable, ImageError, storedSpec, toPixels } from '#libs/preprocess';
import type { PredictionOutcome, PredictionTask } from './prediction-task.js';

// A prediction thread (piscina): decodes images and runs the forward pass, never on the API's event loop.
// The plain cpu backend: a few matrix products per request, the same kernels (and numbers) as before.
await selectBackend('cpu');

export default async function run(task: PredictionTask): Promise<PredictionOutcome> {
  const { architecture, images } = task;
  const spec = storedSpec(architecture.input, architecture.preprocess);
  const pixels = new Uint8Array(images.length * architecture.inputSize);
  for (const [i, image] of images.entries()) {
    try {
      // Read here, one at a time: the API's main thread never holds the images.
      pixels.set(await toPixels(await readFile(image.path), spec), i * architecture.inputSize);
    } catch (error) {
      // Carried back as data: an Error's class does not survive the thread boundary.
      if (error instanceof ImageError) return { badImage: { file: image.file, message: error.message } };
      throw error;
    }
  }
  return { probabilities: predict(architecture, new Uint8Array(task.weights), pixels, activationTable(spec)) };
}
