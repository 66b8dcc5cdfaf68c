import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { API_CONFIG, type ApiConfig } from '../api.config.js';
import { AdminKeyBootstrap } from './admin-key.bootstrap.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthenticateGuard } from './authenticate.guard.js';
import { AuthorizeGuard } from './authorize.guard.js';
import { RateLimitGuard } from './rate-limit.guard.js';

/** API keys, rate limits and the global guards, which run in the order they are listed here: who, how often, may they. */
@Module({})
export class AuthModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: AuthModule,
      controllers: [ApiKeysController],
      providers: [
        { provide: API_CONFIG, useValue: config },
        ApiKeysService,
        AdminKeyBootstrap,
        { provide: APP_GUARD, useClass: AuthenticateGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: AuthorizeGuard },
      ],
      exports: [ApiKeysService],
    };
  }
}
