import { Injectable } from '@nestjs/common';
import type { ApiKeyRole, ApiKeyView, CreatedApiKey } from '#libs/contracts';
import { PrismaService, type ApiKey } from '#libs/database';
import { DomainError, notFound } from '../http/domain-error.js';
import type { PageQuery } from '../http/page.dto.js';
import { generateApiKey, hashApiKey } from './api-key-secret.js';
import type { Principal } from './principal.js';

/** Name of the row that stands for ADMIN_API_KEY. */
export const ENV_ADMIN_KEY_NAME = 'admin (ADMIN_API_KEY)';

@Injectable()
export class ApiKeysService {
  /** Hash of ADMIN_API_KEY, when set: that key cannot be revoked through the API. */
  private envKeyHash: string | undefined;

  constructor(private readonly prisma: PrismaService) {}

  /** The principal of a live key; undefined for an unknown or revoked one. Read on every request, so revoking acts at once. */
  async authenticate(key: string): Promise<Principal | undefined> {
    const row = await this.prisma.apiKey.findUnique({ where: { keyHash: hashApiKey(key) } });
    if (!row || row.revokedAt) return undefined;
    return { id: row.id, name: row.name, role: row.role };
  }

  async create(name: string, role: ApiKeyRole): Promise<CreatedApiKey> {
    const key = generateApiKey();
    const row = await this.prisma.apiKey.create({ data: { name, role, keyHash: hashApiKey(key) } });
    return { id: row.id, name: row.name, role: row.role, key };
  }

  async list(page: PageQuery) {
    const [total, rows] = await Promise.all([
      this.prisma.apiKey.count(),
      this.prisma.apiKey.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: page.limit, skip: page.offset }),
    ]);
    return { total, limit: page.limit, offset: page.offset, items: rows.map(toApiKeyView) };
  }

  /** Revokes a key; the next request made with it is answered 401. Revoking twice is harmless. */
  async revoke(id: string): Promise<void> {
    const row = await this.prisma.apiKey.findUnique({ where: { id } });
    if (!row) throw notFound('API key', id);
    if (row.keyHash === this.envKeyHash) {
      throw new DomainError('CONFLICT', `API key ${id} is ADMIN_API_KEY from the API's environment; change or unset that variable instead`);
    }
    await this.prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  }

  /** Makes ADMIN_API_KEY a live admin key (several APIs may start at once: insert-if-absent, then un-revoke). */
  async adoptEnvAdminKey(key: string): Promise<void> {
    const keyHash = hashApiKey(key);
    this.envKeyHash = keyHash;
    await this.prisma.apiKey.createMany({ data: [{ name: ENV_ADMIN_KEY_NAME, role: 'admin', keyHash }], skipDuplicates: true });
    await this.prisma.apiKey.update({ where: { keyHash }, data: { role: 'admin', revokedAt: null } });
  }

  /** Whether `key` is a live admin key of this database. */
  async isAdminKey(key: string): Promise<boolean> {
    return (await this.authenticate(key))?.role === 'admin';
  }
}

export function toApiKeyView(row: ApiKey): ApiKeyView {
  return { id: row.id, name: row.name, role: row.role, createdAt: row.createdAt.toISOString(), revokedAt: row.revokedAt?.toISOString() ?? null };
}
