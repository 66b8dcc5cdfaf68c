import { readFileSync } from 'node:fs';

// No Docker engine runs on the build machines, so the images are checked by reading their Dockerfiles.
const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };

describe('Dockerfiles', () => {
  it('run Node 22 LTS, which package.json engines allows beside the Node 20 these machines have', () => {
    expect(read('apps/api/Dockerfile')).toMatch(/^FROM node:22-/m);
    expect(read('apps/worker/Dockerfile')).toMatch(/^FROM node:22-/m);
    expect(read('apps/worker/Dockerfile.gpu')).toContain('deb.nodesource.com/setup_22.x');
    expect(pkg.engines.node).toMatch(/\^20\.\d+ \|\| \^22\.\d+/);
  });

  it('never run an app as root', () => {
    for (const file of ['apps/api/Dockerfile', 'apps/worker/Dockerfile', 'apps/worker/Dockerfile.gpu']) {
      const users = [...read(file).matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
      expect(users.at(-1)).toBeDefined();
      expect(users.at(-1)).not.toMatch(/^(root|0)$/);
    }
  });

  it('install the GPU image only from lockfiles (npm ci), its extra backends from their own', () => {
    const gpu = read('apps/worker/Dockerfile.gpu');
    expect(gpu).not.toMatch(/npm (i|install)\b/);
    expect(gpu).toContain('cd apps/worker/gpu && npm ci');
    const lock = JSON.parse(read('apps/worker/gpu/package-lock.json')) as { packages: Record<string, { version?: string }> };
    expect(lock.packages['node_modules/@tensorflow/tfjs-node-gpu']?.version).toBe('4.22.0');
  });
});
