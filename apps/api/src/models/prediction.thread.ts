import { readFile } from 'node:fs/promises';
import type { Inspection } from '#libs/contracts';
import { layerShapes, predict as predictProbabilities, selectBackend, traceLayers } from '#libs/engine';
import { activationRows, activationTable, ImageError, type PreprocessSpec, storedSpec, toActivations, toPixels } from '#libs/preprocess';
import type { BadImage, ImageOnDisk, InspectionOutcome, InspectionTask, PredictionOutcome, PredictionTask } from './prediction-task.js';

// A prediction thread (piscina): decodes images and runs forward passes, never on the API's event loop.
// The plain cpu backend: a few matrix products per request, the same kernels (and numbers) as before.
await selectBackend('cpu');

/** Class probabilities for each image. */
export async function predict(task: PredictionTask): Promise<PredictionOutcome> {
  const { architecture, images } = task;
  const spec = storedSpec(architecture.input, architecture.preprocess);
  const pixels = new Uint8Array(images.length * architecture.inputSize);
  for (const [i, image] of images.entries()) {
    const bytes = await decode(image, spec);
    if ('badImage' in bytes) return bytes;
    pixels.set(bytes, i * architecture.inputSize);
  }
  return { probabilities: predictProbabilities(architecture, new Uint8Array(task.weights), pixels, activationTable(spec)) };
}

/** One image's input activations, each layer's z and a, and the class probabilities, as Inspection JSON. */
export async function inspect(task: InspectionTask): Promise<InspectionOutcome> {
  const { architecture, images: [image] } = task;
  const spec = storedSpec(architecture.input, architecture.preprocess);
  const pixels = await decode(image!, spec);
  if ('badImage' in pixels) return pixels;
  const traces = traceLayers(architecture, new Uint8Array(task.weights), toActivations(pixels, spec));
  const output = Array.from(traces.at(-1)!.a);
  const inspection: Inspection = {
    modelId: task.modelId,
    version: task.version,
    file: image!.file,
    input: { width: spec.width, height: spec.height, channels: spec.channels, activations: [...activationRows(pixels, spec)] },
    layers: layerShapes(architecture).map((shape, i) => ({ layer: i, units: shape.units, activation: shape.activation, bias: shape.bias, z: Array.from(traces[i]!.z), a: Array.from(traces[i]!.a) })),
    output: {
      label: architecture.classes[output.indexOf(Math.max(...output))]!,
      probabilities: Object.fromEntries(architecture.classes.map((c, k) => [c, output[k]!])),
    },
  };
  return { json: new TextEncoder().encode(JSON.stringify(inspection)) };
}

/** The image's bytes as the version's dataset stored its samples; read here, so the API's main thread never holds it. */
async function decode(image: ImageOnDisk, spec: PreprocessSpec): Promise<Uint8Array | BadImage> {
  try {
    return await toPixels(await readFile(image.path), spec);
  } catch (error) {
    if (error instanceof ImageError) return { badImage: { file: image.file, message: error.message } };
    throw error;
  }
}
