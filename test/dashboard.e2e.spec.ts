import { mkdir } from 'node:fs/promises';
import { buffer } from 'node:stream/consumers';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import yazl from 'yazl';
import type { Inspection } from '#libs/contracts';
import { drawShapes } from '#libs/samples';
import { startSystem } from '#libs/testing';

// The dashboard in a real browser (Debian's chromium, driven by playwright-core) against the built API and a real worker.
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(import.meta.dirname, 'screenshots');
/** Page script (a string: the test's types have no DOM) recording each value the upload bar takes into `window.uploadProgress`. */
const RECORD_UPLOAD_PROGRESS = `(() => {
  const seen = (window.uploadProgress = []);
  new MutationObserver(() => {
    const bar = document.querySelector('progress[aria-label="upload progress"]');
    if (bar && seen.at(-1) !== bar.value) seen.push(bar.value);
  }).observe(document.body, { subtree: true, childList: true, attributes: true });
})()`;

describe('the dashboard in a browser', () => {
  let system: Awaited<ReturnType<typeof startSystem>>;
  let browser: Browser;
  let page: Page;
  let datasetId: string;
  let firstRunId: string;
  let secondRunId: string;
  /** Uncaught errors and CSP refusals in the page: none may happen. */
  const problems: string[] = [];

  const shot = (name: string, fullPage = false) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    [system, browser] = await Promise.all([
      startSystem({ workers: 1 }),
      chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] }),
    ]);
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => /Content.Security.Policy/i.test(message.text()) && problems.push(message.text()));
  }, 90_000);

  afterEach(() => expect(problems).toEqual([]));

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('serves the dashboard without a key, and refuses a wrong key at sign-in', async () => {
    const index = await fetch(`${system.url}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('assets/app.js');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${system.url}/runs`)).status).toBe(401);

    await page.goto(system.url);
    await page.getByLabel('API key').fill('ty_not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'unknown or revoked' }).waitFor();
  });

  it('signs in with a key kept in session storage', async () => {
    await page.getByLabel('API key').fill(system.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /^Runs/ }).waitFor();
    await page.reload();
    await page.getByText('sign out').waitFor();
  });

  it('uploads a dataset with a progress bar and shows its classes, splits, skipped files and samples', async () => {
    await page.getByRole('link', { name: 'Datasets' }).click();
    await page.locator('input[name=file]').setInputFiles({ name: 'shapes.zip', mimeType: 'application/zip', buffer: await shapesWithBrokenFile() });
    await page.locator('input[name=name]').fill('browser shapes');
    await page.locator('input[name=width]').fill('16');
    await page.locator('input[name=height]').fill('16');
    // The bar lives only while the bytes go up (a blink on localhost): record every value it takes, in the page.
    await page.evaluate(RECORD_UPLOAD_PROGRESS);
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('heading', { name: /browser shapes READY/ }).waitFor({ timeout: 60_000 });
    const progress = await page.evaluate<number[]>('window.uploadProgress');
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    datasetId = page.url().split('/').pop()!;
    const counts = page.locator('table.counts');
    await expect(rowText(counts, 'circle')).resolves.toEqual(['circle', '32', '4', '4', '40']);
    await expect(rowText(counts, 'all')).resolves.toEqual(['all', '96', '12', '12', '120']);
    // The broken file is listed with the API's own reason.
    const { skipped } = await system.api.getDataset(datasetId);
    expect(skipped).toEqual([expect.objectContaining({ file: 'circle/broken.png' })]);
    await page.getByRole('heading', { name: 'Skipped files (1)' }).waitFor();
    expect(await page.locator('table.skipped td').allTextContents()).toEqual(['circle/broken.png', skipped[0]!.reason]);
    await page.locator('.gallery img').nth(23).waitFor();
    // The thumbnails are spread over the samples (stored class by class), not the first 24 of one class.
    expect(await page.locator('.gallery figcaption').allTextContents()).toEqual(Array.from({ length: 24 }, (_, i) => `#${i * 5}`));
    await shot('dataset');
  });

  it('submits a run whose charts grow from its event stream, not by polling, then cancels and deletes it', async () => {
    await page.getByRole('link', { name: 'Runs' }).click();
    await page.getByRole('button', { name: 'New run' }).click();
    const form = page.locator('form.new-run');
    await form.locator('select[name=datasetId]').selectOption(datasetId);
    await form.locator('input[name=layers]').fill('16 relu');
    // Far more epochs than the test waits for, so it is still training on a quiet machine; cancelled below.
    await form.locator('input[name=epochs]').fill('5000');
    await form.locator('input[name=batchSize]').fill('8');
    let runId = '';
    const paths: string[] = [];
    const record = (request: { url(): string }) => paths.push(new URL(request.url()).pathname);
    page.on('request', record);
    try {
      await form.getByRole('button', { name: 'Start run' }).click();
      await page.waitForURL(/#\/runs\/[0-9a-f-]{36}$/);
      runId = page.url().split('/').pop()!;
      const chart = page.locator('.chart').first();
      const points = async () => Number(await chart.getAttribute('data-points'));
      const pointsReach = async (n: number) => {
        for (const deadline = Date.now() + 90_000; (await points()) < n; await page.waitForTimeout(100)) {
          if (Date.now() > deadline) throw new Error(`the chart stayed at ${await points()} points, expected ${n}`);
        }
      };
      await pointsReach(1);
      const mark = paths.length;
      const before = await points();
      await pointsReach(before + 3);
      // The points came over the run's event stream: the page did not fetch the run again meanwhile.
      expect(paths).toContain(`/runs/${runId}/events`);
      expect(paths.slice(mark).filter((path) => path === `/runs/${runId}`)).toEqual([]);
    } finally {
      page.off('request', record);
    }
    // While it trains, the Workers page names it as the worker's current job, and the train queue has it active.
    await page.getByRole('link', { name: 'Workers & queues' }).click();
    await page.locator('tr[data-worker]').getByRole('link', { name: `train-run:${runId}` }).waitFor();
    await page.locator('tr[data-queue="train"] td').nth(2).filter({ hasText: /^1$/ }).waitFor();
    await shot('workers-busy');
    await page.locator('tr[data-worker]').getByRole('link', { name: `train-run:${runId}` }).click(); // back to the run
    await page.getByRole('heading', { name: /RUNNING/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0); // not while it runs
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: /CANCELLED/ }).waitFor();
    await shot('run-cancelled');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: /^Runs/ }).waitFor();
    await expect(system.api.getRun(runId)).rejects.toMatchObject({ status: 404 });
  }, 240_000);

  it('trains a run to SUCCEEDED, its page following it live, and shows the evaluation', async () => {
    firstRunId = (await system.api.createRun({ datasetId, layers: [{ units: 64, activation: 'relu' }, { units: 32, activation: 'relu' }], optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 8, epochs: 60, seed: 7 })).id;
    // A second, shorter run queues behind it: the one to compare with.
    secondRunId = (await system.api.createRun({ datasetId, layers: [{ units: 32, activation: 'tanh' }], optimizer: { name: 'adam', learningRate: 0.01 }, batchSize: 16, epochs: 5, seed: 7 })).id;
    await page.goto(`${system.url}/#/runs/${firstRunId}`);
    await page.getByRole('heading', { name: /SUCCEEDED/ }).waitFor({ timeout: 150_000 });
    expect(await page.locator('.chart').first().getAttribute('data-points')).toBe('60');
    expect(await page.locator('.timeline-list li').allTextContents()).toEqual([
      expect.stringContaining('QUEUED'), expect.stringMatching(/QUEUED → RUNNING · attempt 1 · worker/), expect.stringContaining('RUNNING → SUCCEEDED'),
    ]);

    await page.getByRole('heading', { name: 'Evaluation on the test split' }).waitFor();
    const heatmap = page.getByRole('table', { name: 'confusion matrix' });
    await heatmap.waitFor();
    const cells = (await heatmap.locator('tbody td').allTextContents()).map(Number);
    expect(cells).toHaveLength(9);
    expect(cells.reduce((a, b) => a + b, 0)).toBe(12);
    expect(await page.locator('table.per-class tbody tr').count()).toBe(3);
    const wrong = Number(/\((\d+)\)/.exec(await page.getByRole('heading', { name: /^Misclassified/ }).innerText())![1]);
    expect(wrong).toBe(12 - (cells[0]! + cells[4]! + cells[8]!));
    if (wrong > 0) await page.locator('.evaluation .gallery img').nth(wrong - 1).waitFor();
    await shot('run');
  }, 180_000);

  it('lists the runs live and compares two of them', async () => {
    await page.getByRole('link', { name: 'Runs' }).click();
    // The second run ends while the page is open: its row changes without a reload.
    await page.locator(`tr[data-run="${secondRunId}"][data-status="SUCCEEDED"]`).waitFor({ timeout: 60_000 });
    // Filtered through GET /runs?optimizer=adam: only the adam run stays.
    const filtered = page.waitForResponse((response) => new URL(response.url()).searchParams.get('optimizer') === 'adam');
    await page.locator('select[name=optimizer]').selectOption('adam');
    expect((await filtered).status()).toBe(200);
    await page.locator(`tr[data-run="${firstRunId}"]`).waitFor({ state: 'detached' });
    await page.locator(`tr[data-run="${secondRunId}"]`).waitFor();
    await page.locator('select[name=optimizer]').selectOption('');
    await page.locator(`tr[data-run="${firstRunId}"]`).getByRole('checkbox').check();
    await page.locator(`tr[data-run="${secondRunId}"]`).getByRole('checkbox').check();
    // Sorted by final validation accuracy through GET /runs?orderBy=-valAccuracy.
    const finals = await Promise.all([firstRunId, secondRunId].map(async (id) => ({ id, valAccuracy: (await system.api.getRun(id)).final!.valAccuracy! })));
    const [best, other] = finals.sort((a, b) => b.valAccuracy - a.valAccuracy);
    await page.getByRole('columnheader', { name: 'val acc' }).click();
    await page.getByRole('columnheader', { name: 'val acc ▼' }).waitFor();
    if (best!.valAccuracy > other!.valAccuracy) await page.locator(`table.runs tbody tr:first-child[data-run="${best!.id}"]`).waitFor();
    await shot('runs');
    const compared = page.waitForResponse((response) => new URL(response.url()).pathname === '/runs/compare');
    await page.getByRole('button', { name: 'Compare 2' }).click();
    expect((await compared).status()).toBe(200); // one call: the server aligns the runs and finds what differs
    await page.getByRole('heading', { name: 'Compare 2 runs' }).waitFor();
    const differing = await page.locator('table.compare tr.differs th').allTextContents();
    expect(differing).toEqual(expect.arrayContaining(['layers.0.units', 'layers.0.activation', 'layers.1.units', 'optimizer.name', 'optimizer.learningRate', 'batchSize', 'epochs']));
    expect(differing).not.toContain('seed');
    expect(await page.locator('.chart').first().getAttribute('data-points')).toBe('60');
    await shot('compare');
  }, 90_000);

  it('shows the model with its versions, a unit\'s weights and an image\'s way through the network, and the worker with its queues', async () => {
    await page.getByRole('link', { name: 'Models' }).click();
    await page.getByRole('link', { name: 'browser shapes' }).click();
    await page.locator('table.versions tbody tr').nth(1).waitFor();
    expect(await page.locator('table.versions tbody tr').count()).toBe(2);
    const modelId = page.url().split('/').pop()!;
    await page.getByRole('button', { name: 'inspect' }).first().click();
    const version = Number(/Inside v(\d+)/.exec(await page.locator('.inspect h2').innerText())![1]);
    expect(version).toBe(2); // the newest version's row comes first
    await page.locator('.inspect .gallery img').nth(15).waitFor();
    // A unit's image is GET …/layers/0/weights.png?unit=k, byte for byte.
    const weights = await fetch(`${system.url}/models/${modelId}/versions/${version}/layers/0/weights.png?unit=3`, { headers: system.api.authHeaders });
    const shown = (await page.getByRole('img', { name: 'unit 3', exact: true }).getAttribute('src'))!;
    expect(Buffer.from(shown.split(',')[1]!, 'base64').equals(Buffer.from(await weights.arrayBuffer()))).toBe(true);

    // One image through the network: the page draws what POST /models/:id/inspect answers for it.
    const png = Buffer.from(await (await fetch(`${system.url}/datasets/${datasetId}/samples/5?format=png`, { headers: system.api.authHeaders })).arrayBuffer());
    const body = new FormData();
    body.append('file', new Blob([png]), 'sample5.png');
    body.append('version', String(version));
    const inspection = await system.api.request<Inspection>('POST', `/models/${modelId}/inspect`, body);
    await page.locator('.inspect input[name=file]').setInputFiles({ name: 'sample5.png', mimeType: 'image/png', buffer: png });
    await page.getByRole('button', { name: 'Inspect', exact: true }).click();
    await page.locator('.inspect .layers').waitFor();
    expect(await page.locator('.inspect .layers h4').first().innerText()).toBe('input: 16×16×1 activations');
    expect((await page.locator('.inspect .layers canvas').boundingBox())!.width).toBeGreaterThanOrEqual(96); // drawn 16×16, shown enlarged
    expect(inspection.layers.map((l) => l.units)).toEqual([32, 3]);
    for (const layer of inspection.layers) {
      for (const vector of ['z', 'a'] as const) {
        const titles = await page.locator(`.strip[aria-label="layer ${layer.layer + 1} ${vector}"] span`).evaluateAll((spans) => spans.map((s) => s.getAttribute('title')));
        expect(titles).toEqual(layer[vector].map((v, i) => `${i}: ${v.toFixed(4)}`));
      }
    }
    expect(await page.locator('.inspect .layers h4').last().innerText()).toBe(`output: ${inspection.output.label}`);
    const probabilities = await page.locator('table.probabilities tr').evaluateAll((rows) => rows.map((r) => [r.querySelector('th')!.textContent, r.querySelector('td')!.textContent]));
    expect(Object.fromEntries(probabilities)).toEqual(Object.fromEntries(Object.entries(inspection.output.probabilities).map(([label, p]) => [label, `${(p * 100).toFixed(1)}%`])));
    await shot('model', true); // the inspect view runs below the fold

    await page.getByRole('link', { name: 'Workers & queues' }).click();
    const worker = page.locator('tr[data-worker]');
    await worker.first().waitFor();
    expect(await worker.count()).toBe(1);
    expect(await worker.locator('td').nth(2).innerText()).toBe('cpu');
    await page.locator('tr[data-queue="train"]').waitFor();
    await shot('workers');
  });

  it('shows a viewer key no button its role may not use', async () => {
    const { key } = await system.clientAs('viewer', 'browser viewer');
    const context = await browser.newContext();
    const viewer = await context.newPage();
    try {
      await viewer.goto(system.url);
      await viewer.getByLabel('API key').fill(key.key);
      await viewer.getByRole('button', { name: 'Sign in' }).click();
      await viewer.getByText('browser viewer · viewer').waitFor();
      await viewer.locator(`tr[data-run="${firstRunId}"]`).waitFor();
      expect(await viewer.getByRole('button', { name: 'New run' }).count()).toBe(0);
      await viewer.goto(`${system.url}/#/runs/${firstRunId}`);
      await viewer.getByRole('heading', { name: /SUCCEEDED/ }).waitFor();
      expect(await viewer.getByRole('button', { name: /Cancel|Delete/ }).count()).toBe(0);
      await viewer.goto(`${system.url}/#/workers`);
      await viewer.getByText('needs an admin key').waitFor();
    } finally {
      await context.close();
    }
  });
});

/** The shapes zip and one file that is no image, which preprocessing skips and says why. */
async function shapesWithBrokenFile(): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const image of await drawShapes({ perClass: 40, size: 32, seed: 'dashboard' })) zip.addBuffer(image.png, image.path);
  zip.addBuffer(Buffer.from('not a png'), 'circle/broken.png');
  zip.end();
  return buffer(zip.outputStream);
}

/** The cells of the table row whose first cell reads `first`. */
async function rowText(table: ReturnType<Page['locator']>, first: string): Promise<string[]> {
  const row = table.locator('tbody tr').filter({ has: table.page().locator('th', { hasText: new RegExp(`^${first}$`) }) });
  return (await row.locator('th, td').allTextContents()).map((t) => t.trim());
}
