import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { adminKeyFile, readAdminKey, saveAdminKey } from '#libs/config';
import { API_CONFIG, type ApiConfig } from '../api.config.js';
import { ApiKeysService } from './api-keys.service.js';

/**
 * Makes sure someone can call the API: ADMIN_API_KEY when it is set; otherwise the admin key saved in
 * the user's config directory, created (and printed, the only time it is shown) when that file does not
 * hold a live admin key of this database. Runs before the API listens, so the file is there when it answers.
 */
@Injectable()
export class AdminKeyBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('ApiKeys');

  constructor(
    private readonly keys: ApiKeysService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.ADMIN_API_KEY) return this.keys.adoptEnvAdminKey(this.config.ADMIN_API_KEY);
    const file = adminKeyFile();
    const saved = await readAdminKey(file);
    if (saved && (await this.keys.isAdminKey(saved))) {
      this.logger.log(`admin API key: the one saved in ${file}`);
      return;
    }
    const created = await this.keys.create('admin (bootstrap)', 'admin');
    await saveAdminKey(created.key, file);
    this.logger.warn(`created an admin API key (shown only now; saved to ${file}, mode 0600): ${created.key}`);
  }
}
