import { Readable } from 'node:stream';
import { Injectable, StreamableFile } from '@nestjs/common';
import sharp from 'sharp';
import type { Architecture } from '#libs/contracts';
import { BlobStore } from '#libs/database';
import { layerShapes, layersModelJson, parameterViews } from '#libs/engine';
import { invalidInput } from '../http/domain-error.js';
import { ModelVersions } from './model-versions.js';
import type { VersionRef } from './version-ref.js';
import { WeightsCache } from './weights-cache.js';

/** A model version in TensorFlow.js Layers format, and pictures of what its first layer's units learned. */
@Injectable()
export class ModelExportService {
  constructor(
    private readonly versions: ModelVersions,
    private readonly blobs: BlobStore,
    private readonly weights: WeightsCache,
  ) {}

  async modelJson(modelId: string, ref: VersionRef) {
    const stored = await this.versions.resolve(modelId, ref);
    const architecture = stored.architecture as unknown as Architecture;
    return layersModelJson(architecture, {
      trainyard: { modelId, version: stored.version, runId: stored.runId, classes: architecture.classes, input: architecture.input, preprocess: architecture.preprocess ?? {} },
    });
  }

  /** The weights blob as stored: W0, b0, W1, b1, … little-endian float32, the manifest's order. */
  async weightsBin(modelId: string, ref: VersionRef): Promise<StreamableFile> {
    const stored = await this.versions.resolve(modelId, ref);
    // Streamed from the blob's chunks: a large model is never whole in the API's memory.
    const length = await this.blobs.size(stored.blobId);
    return new StreamableFile(Readable.from(this.blobs.stream(stored.blobId)), { type: 'application/octet-stream', length });
  }

  /**
   * Unit k's incoming weights as an image of the input's size: mid-gray is 0, white the largest |w|
   * positive, black the largest negative; the scale is returned beside it.
   */
  async unitWeightsPng(modelId: string, ref: VersionRef, layer: number, unit: number): Promise<{ png: StreamableFile; scale: number }> {
    if (layer !== 0) throw invalidInput('layer', 'only layer 0 has one weight per input pixel; deeper layers have no image shape');
    const stored = await this.versions.resolve(modelId, ref);
    const architecture = stored.architecture as unknown as Architecture;
    const [first] = layerShapes(architecture);
    const { units, inputs } = first!;
    if (unit >= units) throw invalidInput('unit', `layer 0 has ${units} units (0..${units - 1})`);
    // W0 is [inputs, units] row-major: column `unit` is every units-th float. The weights predict and inspect use.
    const [w0] = parameterViews(architecture, new Uint8Array(await this.weights.get(stored)));
    const column = Float32Array.from({ length: inputs }, (_, i) => w0![i * units + unit]!);
    const scale = column.reduce((max, w) => Math.max(max, Math.abs(w)), 0) || 1;
    const bytes = Uint8Array.from(column, (w) => Math.round(127.5 + (127.5 * w) / scale));
    const { width, height, channels } = architecture.input;
    const png = await sharp(bytes, { raw: { width, height, channels } }).toColourspace(channels === 1 ? 'b-w' : 'srgb').png().toBuffer();
    return { png: new StreamableFile(png, { type: 'image/png' }), scale };
  }
}
