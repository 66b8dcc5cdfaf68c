import { Injectable, StreamableFile } from '@nestjs/common';
import { type Architecture, iso, type ModelSummary, type ModelView, type Page, type PageQuery, toPage } from '#libs/contracts';
import { PrismaService } from '#libs/database';
import { CREATED_BY } from '../auth/index.js';
import { invalidInput, notFound } from '../http/domain-error.js';
import { ModelVersions } from './model-versions.js';
import { PredictionPool } from './prediction-pool.js';
import type { ImageOnDisk } from './prediction-task.js';
import type { VersionRef } from './version-ref.js';
import { WeightsCache } from './weights-cache.js';

@Injectable()
export class ModelsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly versions: ModelVersions,
    private readonly pool: PredictionPool,
    private readonly weights: WeightsCache,
  ) {}

  async list(page: PageQuery): Promise<Page<ModelSummary>> {
    const [total, models] = await Promise.all([
      this.prisma.model.count(),
      this.prisma.model.findMany({
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: page.limit,
        skip: page.offset,
        include: { ...CREATED_BY, versions: { orderBy: { version: 'desc' }, take: 1, select: { version: true, createdAt: true } }, _count: { select: { runs: true } } },
      }),
    ]);
    return toPage(page, total, models.map((m) => {
      const latest = m.versions[0];
      return { id: m.id, name: m.name, createdAt: iso(m.createdAt), createdBy: m.createdBy, runs: m._count.runs, latestVersion: latest ? { version: latest.version, createdAt: iso(latest.createdAt) } : null };
    }));
  }

  async get(id: string): Promise<ModelView> {
    const model = await this.prisma.model.findUnique({
      where: { id },
      include: {
        ...CREATED_BY,
        aliases: { orderBy: { alias: 'asc' }, include: { version: { select: { version: true } } } },
        versions: {
          orderBy: { version: 'asc' },
          include: { blob: { select: { size: true } }, run: { include: { metrics: { orderBy: { epoch: 'desc' }, take: 1 }, evaluation: { select: { samples: true, accuracy: true, loss: true } } } } },
        },
      },
    });
    if (!model) throw notFound('model', id);
    return {
      id: model.id,
      name: model.name,
      createdAt: iso(model.createdAt),
      createdBy: model.createdBy,
      aliases: Object.fromEntries(model.aliases.map((a) => [a.alias, a.version.version])),
      /** Bytes held in Postgres for it: every version's weights. */
      storageBytes: model.versions.reduce((sum, v) => sum + Number(v.blob.size), 0),
      versions: model.versions.map((v) => {
        const final = v.run?.metrics[0] ?? null;
        const finalMetrics = final && { epoch: final.epoch, loss: final.loss, accuracy: final.accuracy, valLoss: final.valLoss, valAccuracy: final.valAccuracy };
        return {
          version: v.version,
          aliases: model.aliases.filter((a) => a.versionId === v.id).map((a) => a.alias),
          runId: v.runId,
          createdAt: iso(v.createdAt),
          architecture: v.architecture as Record<string, unknown>,
          parameters: Number(v.blob.size) / 4,
          sizeBytes: Number(v.blob.size),
          finalMetrics,
          lineage: {
            dataset: (v.lineage as { dataset?: unknown }).dataset ?? null,
            run: v.run && { id: v.run.id, status: v.run.status, seed: v.run.seed, optimizer: v.run.optimizer, batchSize: v.run.batchSize, epochs: v.run.epochs, loss: v.run.loss },
            final: finalMetrics,
            test: v.run?.evaluation ?? null,
          },
        };
      }),
    };
  }

  /** Classifies images with a model version, preprocessing them by the spec its dataset was built with, in a prediction thread. */
  async predict(id: string, images: ImageOnDisk[], version?: VersionRef) {
    if (images.length === 0) throw invalidInput('files', 'send one or more images in the multipart field "files"');
    const { stored, architecture, weights } = await this.forThread(id, version);
    const outcome = await this.pool.run('predict', { architecture, weights, images });
    if ('badImage' in outcome) throw invalidInput('files', `${outcome.badImage.file}: ${outcome.badImage.message}`);
    return {
      modelId: id,
      version: stored.version,
      predictions: outcome.probabilities.map((p, i) => {
        const best = p.indexOf(Math.max(...p));
        return { file: images[i]!.file, label: architecture.classes[best], probabilities: Object.fromEntries(architecture.classes.map((c, k) => [c, p[k]])) };
      }),
    };
  }

  /** One image's way through a version (input activations, each layer's z and a, probabilities), computed in a prediction thread. */
  async inspect(id: string, image: ImageOnDisk | undefined, version?: VersionRef): Promise<StreamableFile> {
    if (!image) throw invalidInput('file', 'send one image in the multipart field "file"');
    const { stored, architecture, weights } = await this.forThread(id, version);
    const outcome = await this.pool.run('inspect', { modelId: id, version: stored.version, architecture, weights, images: [image] });
    if ('badImage' in outcome) throw invalidInput('file', `${outcome.badImage.file}: ${outcome.badImage.message}`);
    return new StreamableFile(outcome.json, { type: 'application/json; charset=utf-8' });
  }

  /** The version a thread will run, its shape and its (cached) weights; 503 before loading them when the pool is full. */
  private async forThread(id: string, version: VersionRef | undefined) {
    const stored = await this.versions.resolve(id, version);
    this.pool.assertRoom();
    return { stored, architecture: stored.architecture as unknown as Architecture, weights: await this.weights.get(stored) };
  }
}
