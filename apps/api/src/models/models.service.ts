import { Injectable } from '@nestjs/common';
import type { Architecture } from '#libs/contracts';
import { PrismaService } from '#libs/database';
import { predict, selectBackend } from '#libs/engine';
import { activationTable, ImageError, storedSpec, toPixels } from '#libs/preprocess';
import { CREATED_BY } from '../auth/index.js';
import { invalidInput, notFound } from '../http/domain-error.js';

export interface ImageFile {
  originalname: string;
  buffer: Buffer;
}

@Injectable()
export class ModelsService {
  // Prediction is a few small matrix products: the plain cpu backend, loaded once, is plenty.
  private readonly backend = selectBackend('cpu');

  constructor(private readonly prisma: PrismaService) {}

  async list() {
    const models = await this.prisma.model.findMany({
      orderBy: { createdAt: 'desc' },
      include: { ...CREATED_BY, versions: { orderBy: { version: 'desc' }, take: 1, select: { version: true, createdAt: true } }, _count: { select: { runs: true } } },
    });
    return models.map((m) => ({ id: m.id, name: m.name, createdAt: m.createdAt, createdBy: m.createdBy, runs: m._count.runs, latestVersion: m.versions[0] ?? null }));
  }

  async get(id: string) {
    const model = await this.prisma.model.findUnique({
      where: { id },
      include: { ...CREATED_BY, versions: { orderBy: { version: 'asc' }, include: { run: { include: { metrics: { orderBy: { epoch: 'desc' }, take: 1 } } } } } },
    });
    if (!model) throw notFound('model', id);
    return {
      id: model.id,
      name: model.name,
      createdAt: model.createdAt,
      createdBy: model.createdBy,
      versions: model.versions.map((v) => ({
        version: v.version,
        runId: v.runId,
        createdAt: v.createdAt,
        architecture: v.architecture,
        parameters: v.weights.byteLength / 4,
        finalMetrics: v.run.metrics[0] ?? null,
      })),
    };
  }

  /** Classifies images with a model version, preprocessing them by the spec its dataset was built with. */
  async predict(id: string, images: ImageFile[], version?: number) {
    if (images.length === 0) throw invalidInput('files', 'send one or more images in the multipart field "files"');
    const stored = await this.prisma.modelVersion.findFirst({
      where: { modelId: id, ...(version !== undefined && { version }) },
      orderBy: { version: 'desc' },
    });
    if (!stored) throw version === undefined ? notFound('model with a trained version', id) : notFound(`version ${version} of model`, id);
    const architecture = stored.architecture as unknown as Architecture;
    const spec = storedSpec(architecture.input, architecture.preprocess);
    const pixels = new Uint8Array(images.length * architecture.inputSize);
    for (const [i, image] of images.entries()) {
      const bytes = await toPixels(image.buffer, spec).catch((error: unknown) => {
        throw error instanceof ImageError ? invalidInput('files', `${image.originalname}: ${error.message}`) : error;
      });
      pixels.set(bytes, i * architecture.inputSize);
    }
    await this.backend;
    const probabilities = predict(architecture, stored.weights, pixels, activationTable(spec));
    return {
      modelId: id,
      version: stored.version,
      predictions: probabilities.map((p, i) => {
        const best = p.indexOf(Math.max(...p));
        return { file: images[i]!.originalname, label: architecture.classes[best], probabilities: Object.fromEntries(architecture.classes.map((c, k) => [c, p[k]])) };
      }),
    };
  }
}
