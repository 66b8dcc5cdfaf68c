import { Injectable } from '@nestjs/common';
import { PrismaService } from '#libs/database';
import { assertOwnerOrAdmin, type Principal } from '../auth/index.js';
import { notFound } from '../http/domain-error.js';
import type { VersionRef } from './version-ref.js';
import { WeightsCache } from './weights-cache.js';

/** Finds a model's version by number, by `@alias`, or (no ref) the newest; and keeps its aliases. */
@Injectable()
export class ModelVersions {
  constructor(
    private readonly prisma: PrismaService,
    private readonly weights: WeightsCache,
  ) {}

  async resolve(modelId: string, ref: VersionRef | undefined) {
    if (typeof ref === 'object') {
      const alias = await this.prisma.modelAlias.findUnique({ where: { modelId_alias: { modelId, alias: ref.alias } }, include: { version: true } });
      if (!alias) throw await this.missing(modelId, `alias @${ref.alias} of model`);
      return alias.version;
    }
    const version = await this.prisma.modelVersion.findFirst({ where: { modelId, ...(ref !== undefined && { version: ref }) }, orderBy: { version: 'desc' } });
    if (!version) throw await this.missing(modelId, ref === undefined ? 'model with a trained version' : `version ${ref} of model`);
    return version;
  }

  /** Points `alias` at a version (moving it if it pointed elsewhere); only the model's creator or an admin may. */
  async setAlias(principal: Principal, modelId: string, alias: string, version: number) {
    await this.assertMayChange(principal, modelId);
    const target = await this.resolve(modelId, version);
    await this.prisma.modelAlias.upsert({
      where: { modelId_alias: { modelId, alias } },
      create: { modelId, alias, versionId: target.id },
      update: { versionId: target.id },
    });
    return { alias, version: target.version };
  }

  async deleteAlias(principal: Principal, modelId: string, alias: string): Promise<void> {
    await this.assertMayChange(principal, modelId);
    const { count } = await this.prisma.modelAlias.deleteMany({ where: { modelId, alias } });
    if (count === 0) throw await this.missing(modelId, `alias @${alias} of model`);
  }

  /** Deletes a version, its weights (a trigger drops the blob) and the aliases that named it; the owner's or an admin's to do. */
  async deleteVersion(principal: Principal, modelId: string, ref: VersionRef): Promise<void> {
    await this.assertMayChange(principal, modelId);
    const target = await this.resolve(modelId, ref);
    await this.prisma.modelVersion.deleteMany({ where: { id: target.id } });
    this.weights.forget(target.id);
  }

  /** An alias decides what others' predictions use, so it is the model owner's to change. */
  private async assertMayChange(principal: Principal, modelId: string): Promise<void> {
    const model = await this.prisma.model.findUnique({ where: { id: modelId }, select: { id: true, createdById: true } });
    if (!model) throw notFound('model', modelId);
    assertOwnerOrAdmin(principal, model, 'model');
  }

  /** Names the model itself when it is what is missing. */
  private async missing(modelId: string, what: string) {
    const model = await this.prisma.model.findUnique({ where: { id: modelId }, select: { id: true } });
    return notFound(model ? what : 'model', modelId);
  }
}
