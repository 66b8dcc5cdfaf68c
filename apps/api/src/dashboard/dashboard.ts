import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** Where `npm run build` puts the dashboard's bundle (apps/api/web/build.mjs), found from the repository root. */
export function dashboardDir(from = import.meta.dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'apps', 'api', 'web');
}

/**
 * The dashboard's own Content-Security-Policy: its scripts and styles only from here, images from here or
 * data: URLs (samples and weight images are fetched with the key), and no upgrade-insecure-requests, which
 * would send a dashboard opened over plain http on a LAN address to https for its own scripts.
 */
export const DASHBOARD_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'; form-action 'self'";

/**
 * Serves the dashboard at `/` as static files, ahead of the routes and their key guard: the page and its
 * scripts hold no data, and every API call they make sends the key. Only GET and HEAD of existing files
 * are answered here; anything else falls through to the API.
 */
export function serveDashboard(app: INestApplication): void {
  // createApp builds on platform-express, so the app is an express one.
  (app as NestExpressApplication).useStaticAssets(dashboardDir(), {
    index: 'index.html',
    fallthrough: true,
    setHeaders: (response) => response.setHeader('content-security-policy', DASHBOARD_CSP),
  });
}
