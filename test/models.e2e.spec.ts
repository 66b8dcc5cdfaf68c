import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { poll, type TrainyardClient } from '#libs/client';
import type { EvaluationView, Inspection } from '#libs/contracts';
import type { PrismaClient } from '#libs/database';
import { shapesZip } from '#libs/samples';
import { startSystem } from '#libs/testing';

interface ModelJson {
  modelTopology: { config: { layers: { class_name: string; config: { activation?: string; use_bias?: boolean; alpha?: number; units?: number } }[] } };
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[] }[] }[];
  userDefinedMetadata: { trainyard: { classes: string[]; preprocess: { width: number; height: number } } };
}
interface ModelDetail {
  aliases: Record<string, number>;
  versions: {
    version: number;
    aliases: string[];
    lineage: { dataset: { id: string; name: string; contentHash: string; spec: { width: number } }; run: { id: string }; final: { epoch: number }; test: { accuracy: number; samples: number } };
  }[];
}

// Evaluation on the test split, export to TensorFlow.js, aliases and lineage: API + a real worker process.
describe('trained models: evaluation, export, aliases', () => {
  let system: Awaited<ReturnType<typeof startSystem>>;
  let api: TrainyardClient;
  let prisma: PrismaClient;
  let datasetId: string;
  /** Run ids by case: every hidden activation in one network, and a network without bias terms. */
  const runs: Record<'activations' | 'noBias', { runId: string; modelId: string }> = {} as never;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    system = await startSystem({ workers: 1, env: { TRAIN_CONCURRENCY: '2' } });
    ({ api, prisma } = system);
    const upload = await api.uploadDataset(await shapesZip({ perClass: 40, size: 32, seed: 'models' }), { name: 'shapes-models', width: 12, height: 12 });
    datasetId = (await api.waitForDataset(upload.id, 60_000)).id;
    const base = { datasetId, optimizer: { name: 'adam', learningRate: 0.01 }, batchSize: 16, epochs: 4, seed: 3 };
    const [activations, noBias] = await Promise.all([
      api.createRun({ ...base, modelName: 'every-activation', layers: ['sigmoid', 'relu', 'tanh', 'linear', 'leakyRelu'].map((activation) => ({ units: 12, activation })) }),
      api.createRun({ ...base, modelName: 'no-bias', layers: [{ units: 16, activation: 'leakyRelu' }], bias: false } as never),
    ]);
    for (const [key, { id }] of Object.entries({ activations, noBias })) {
      const run = await api.waitForRun(id, undefined, 60_000);
      expect(run.status).toBe('SUCCEEDED');
      runs[key as keyof typeof runs] = { runId: id, modelId: run.model.id };
    }
  }, 120_000);

  afterAll(() => system?.stop());

  /** A raw GET, for bodies that are not JSON or are parsed by the test itself. */
  const get = (path: string) => fetch(`${api.baseUrl}${path}`, { headers: api.authHeaders });

  const testIndices = async () =>
    (await prisma.sample.findMany({ where: { datasetId, split: 'test' }, orderBy: { index: 'asc' }, select: { index: true, label: true } }));

  it('evaluates a succeeded run on the test split: counts, confusion matrix and per-class scores agree', async () => {
    const evaluation = await api.request<EvaluationView>('GET', `/runs/${runs.activations.runId}/evaluation`);
    const test = await testIndices();
    expect(test.length).toBeGreaterThan(0);
    expect(evaluation).toMatchObject({ split: 'test', samples: test.length, classes: ['circle', 'square', 'triangle'] });
    const trace = evaluation.confusion.reduce((sum, row, i) => sum + row[i]!, 0);
    expect(evaluation.confusion.flat().reduce((a, b) => a + b, 0)).toBe(test.length);
    expect(evaluation.accuracy).toBeCloseTo(trace / test.length, 12);
    expect(evaluation.loss).toBeGreaterThan(0);
    expect(evaluation.misclassified).toHaveLength(test.length - trace);
    evaluation.perClass.forEach((score, c) => {
      expect(score.label).toBe(evaluation.classes[c]);
      expect(score.support).toBe(test.filter((s) => s.label === c).length);
      expect(score.recall).toBeCloseTo(score.support ? evaluation.confusion[c]![c]! / score.support : 0, 12);
    });
    // Each mistake names a test sample, by the index the samples view uses.
    for (const wrong of evaluation.misclassified) {
      const sample = await api.request<{ split: string; label: string }>('GET', `/datasets/${datasetId}/samples/${wrong.index}?format=json`);
      expect(sample).toMatchObject({ split: 'test', label: wrong.label });
      expect(wrong.predicted).not.toBe(wrong.label);
    }
  });

  it('answers 409 for a run that has not succeeded yet and 404 for an unknown run', async () => {
    const { id } = await api.createRun({ datasetId, layers: [{ units: 4, activation: 'relu' }], optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 1, epochs: 5000 });
    await poll(() => api.getRun(id), (run) => run.status === 'RUNNING', 30_000);
    await expect(api.request('GET', `/runs/${id}/evaluation`)).rejects.toMatchObject({ status: 409, body: { message: expect.stringContaining('RUNNING') } });
    await api.request('POST', `/runs/${id}/cancel`);
    await expect(api.request('GET', '/runs/00000000-0000-4000-8000-000000000000/evaluation')).rejects.toMatchObject({ status: 404 });
  });

  it.each(['activations', 'noBias'] as const)('exports the %s model in TensorFlow.js Layers format that classifies every test sample as the evaluation says', async (key) => {
    const { runId, modelId } = runs[key];
    const url = `${api.baseUrl}/models/${modelId}/versions/1/model.json`;
    // Parsed here, not by fetch: jest's module realm has its own Array, which tfjs checks with instanceof.
    const json = JSON.parse(await (await fetch(url, { headers: api.authHeaders })).text()) as ModelJson;
    expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    expect(json.userDefinedMetadata.trainyard).toMatchObject({ classes: ['circle', 'square', 'triangle'], preprocess: { width: 12, height: 12 } });
    const layers = json.modelTopology.config.layers;
    expect(layers.at(-1)!.config.activation).toBe('softmax');
    expect(layers.filter((l) => l.class_name === 'LeakyReLU').map((l) => l.config.alpha)).toEqual([0.01]);
    if (key === 'noBias') expect(layers.filter((l) => l.class_name === 'Dense').every((l) => l.config.use_bias === false)).toBe(true);

    // Loaded the way a browser would: model.json, then each manifest path resolved beside it.
    const model = await tf.loadLayersModel({
      load: async () => {
        const weightData = await Promise.all(json.weightsManifest.flatMap((group) => group.paths.map(async (path) => new Uint8Array(await (await fetch(new URL(path, url), { headers: api.authHeaders })).arrayBuffer()))));
        const bytes = Buffer.concat(weightData);
        return { modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[], weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) };
      },
    });
    const evaluation = await api.request<EvaluationView>('GET', `/runs/${runId}/evaluation`);
    const test = await testIndices();
    const inputs = await Promise.all(test.map(async ({ index }) => (await api.request<{ activations: number[][] }>('GET', `/datasets/${datasetId}/samples/${index}?format=json`)).activations.flat()));
    const probabilities = tf.tidy(() => (model.predict(tf.tensor2d(inputs)) as tf.Tensor2D).arraySync());
    model.dispose();
    const confusion = evaluation.classes.map(() => evaluation.classes.map(() => 0));
    const misclassified: { index: number; predicted: string; confidence: number }[] = [];
    probabilities.forEach((row, r) => {
      const predicted = row.indexOf(Math.max(...row));
      confusion[test[r]!.label]![predicted]!++;
      if (predicted !== test[r]!.label) misclassified.push({ index: test[r]!.index, predicted: evaluation.classes[predicted]!, confidence: row[predicted]! });
    });
    // Short training leaves mistakes, so the comparison covers wrong predictions and their confidence too.
    expect(evaluation.misclassified.length).toBeGreaterThan(0);
    expect(confusion).toEqual(evaluation.confusion);
    expect(misclassified.map(({ index, predicted }) => ({ index, predicted }))).toEqual(evaluation.misclassified.map(({ index, predicted }) => ({ index, predicted })));
    misclassified.forEach((m, i) => expect(m.confidence).toBeCloseTo(evaluation.misclassified[i]!.confidence, 5));
  });

  it('names versions by alias for export and prediction, and shows each version\'s lineage', async () => {
    const { modelId, runId } = runs.activations;
    expect(await api.request('PUT', `/models/${modelId}/aliases/production`, { version: 1 })).toEqual({ alias: 'production', version: 1 });
    const byAlias = await (await get(`/models/${modelId}/versions/@production/model.json`)).text();
    const byNumber = await (await get(`/models/${modelId}/versions/1/model.json`)).text();
    expect(byAlias).toBe(byNumber);

    const png = Buffer.from(await (await get(`/datasets/${datasetId}/samples/0?format=png`)).arrayBuffer());
    const form = new FormData();
    form.append('files', new Blob([png]), 'sample0.png');
    form.append('version', '@production');
    expect(await api.request('POST', `/models/${modelId}/predict`, form)).toMatchObject({ version: 1, predictions: [{ file: 'sample0.png' }] });

    const detail = await api.request<ModelDetail>('GET', `/models/${modelId}`);
    expect(detail.aliases).toEqual({ production: 1 });
    const evaluation = await api.request<EvaluationView>('GET', `/runs/${runId}/evaluation`);
    const dataset = await prisma.dataset.findUniqueOrThrow({ where: { id: datasetId } });
    expect(detail.versions[0]).toMatchObject({
      version: 1,
      aliases: ['production'],
      lineage: {
        dataset: { id: datasetId, name: 'shapes-models', contentHash: dataset.contentHash, spec: { width: 12 } },
        run: { id: runId },
        final: { epoch: 4 },
        test: { accuracy: evaluation.accuracy, samples: evaluation.samples },
      },
    });

    await expect(api.request('GET', `/models/${modelId}/versions/@staging/model.json`)).rejects.toMatchObject({ status: 404, body: { message: expect.stringContaining('@staging') } });
    await expect(api.request('PUT', `/models/${modelId}/aliases/production`, { version: 7 })).rejects.toMatchObject({ status: 404 });
    await expect(api.request('PUT', `/models/${modelId}/aliases/9lives`, { version: 1 })).rejects.toMatchObject({ status: 400, body: { message: expect.stringContaining('alias') } });
    await expect(api.request('GET', `/models/${modelId}/versions/latest/model.json`)).rejects.toMatchObject({ status: 400 });
    // An alias decides what everyone's predictions use: only the model's creator (here the admin key) or an admin moves it.
    const { client: member } = await system.clientAs('member');
    const { client: viewer } = await system.clientAs('viewer');
    await expect(member.request('PUT', `/models/${modelId}/aliases/production`, { version: 1 })).rejects.toMatchObject({ status: 403 });
    await expect(member.request('DELETE', `/models/${modelId}/aliases/production`)).rejects.toMatchObject({ status: 403 });
    await expect(viewer.request('PUT', `/models/${modelId}/aliases/production`, { version: 1 })).rejects.toMatchObject({ status: 403 });
    expect(await viewer.request('GET', `/models/${modelId}/versions/@production/model.json`)).toMatchObject({ format: 'layers-model' });
    await api.request('DELETE', `/models/${modelId}/aliases/production`);
    await expect(api.request('DELETE', `/models/${modelId}/aliases/production`)).rejects.toMatchObject({ status: 404 });
    const after = new FormData();
    after.append('files', new Blob([png]), 'sample0.png');
    after.append('version', '@production');
    await expect(api.request('POST', `/models/${modelId}/predict`, after)).rejects.toMatchObject({ status: 404 });
  });

  it('draws a first-layer unit\'s incoming weights as an image of the input\'s size', async () => {
    const { modelId } = runs.noBias;
    const response = await get(`/models/${modelId}/versions/1/layers/0/weights.png?unit=5`);
    expect(response.headers.get('content-type')).toBe('image/png');
    const scale = Number(response.headers.get('x-weight-scale'));
    const png = Buffer.from(await response.arrayBuffer());
    expect(await sharp(png).metadata()).toMatchObject({ width: 12, height: 12, channels: 1 });
    const data = await sharp(png).toColourspace('b-w').raw().toBuffer();
    const weights = new Float32Array(await (await get(`/models/${modelId}/versions/1/weights.bin`)).arrayBuffer());
    // W0 is [144 inputs, 16 units]: unit 5's weight for pixel i is W0[i][5].
    const column = Array.from({ length: 144 }, (_, i) => weights[i * 16 + 5]!);
    expect(scale).toBeCloseTo(Math.max(...column.map(Math.abs)), 6);
    expect(Array.from(data)).toEqual(column.map((w) => Math.round(127.5 + (127.5 * w) / scale)));
    await expect(api.request('GET', `/models/${modelId}/versions/1/layers/0/weights.png?unit=16`)).rejects.toMatchObject({ status: 400, body: { message: expect.stringContaining('unit') } });
    await expect(api.request('GET', `/models/${modelId}/versions/1/layers/1/weights.png?unit=0`)).rejects.toMatchObject({ status: 400 });
  });

  it.each(['activations', 'noBias'] as const)('inspects one image through the %s model: the samples view\'s activations, each layer\'s z and a as recomputed here from the export, predict\'s probabilities', async (key) => {
    const { modelId } = runs[key];
    await api.request('PUT', `/models/${modelId}/aliases/inspected`, { version: 1 });
    const png = Buffer.from(await (await get(`/datasets/${datasetId}/samples/3?format=png`)).arrayBuffer());
    const form = (field: string, count = 1) => {
      const body = new FormData();
      for (let i = 0; i < count; i++) body.append(field, new Blob([png]), 'sample3.png');
      body.append('version', '@inspected');
      return body;
    };
    const inspection = await api.request<Inspection>('POST', `/models/${modelId}/inspect`, form('file'));
    expect(inspection).toMatchObject({ modelId, version: 1, file: 'sample3.png' });
    const sample = await api.request<{ activations: number[][] }>('GET', `/datasets/${datasetId}/samples/3?format=json`);
    expect(inspection.input).toEqual({ width: 12, height: 12, channels: 1, activations: sample.activations });
    const predicted = await api.request<{ predictions: { label: string; probabilities: Record<string, number> }[] }>('POST', `/models/${modelId}/predict`, form('files'));
    const { label, probabilities } = predicted.predictions[0]!;
    expect(inspection.output).toEqual({ label, probabilities });
    expect(inspection.layers.at(-1)!.a).toEqual(Object.values(probabilities));

    // The forward pass again, in float64, from model.json's layers and weights.bin's floats in manifest order.
    const json = JSON.parse(await (await get(`/models/${modelId}/versions/1/model.json`)).text()) as ModelJson;
    const floats = new Float32Array(await (await get(`/models/${modelId}/versions/1/weights.bin`)).arrayBuffer());
    let offset = 0;
    const take = (n: number) => Array.from(floats.subarray(offset, (offset += n)));
    const f: Record<string, (z: number) => number> = { sigmoid: (z) => 1 / (1 + Math.exp(-z)), relu: (z) => Math.max(0, z), tanh: Math.tanh, linear: (z) => z };
    const expected: { z: number[]; a: number[] }[] = [];
    let a = inspection.input.activations.flat();
    for (const { class_name: kind, config } of json.modelTopology.config.layers) {
      if (kind === 'LeakyReLU') {
        const last = expected.at(-1)!;
        last.a = last.z.map((z) => (z > 0 ? z : config.alpha! * z));
        a = last.a;
        continue;
      }
      const units = config.units!;
      const kernel = take(a.length * units);
      const bias = config.use_bias === false ? new Array<number>(units).fill(0) : take(units);
      const z = bias.map((b, j) => a.reduce((sum, x, i) => sum + x * kernel[i * units + j]!, b));
      const max = Math.max(...z);
      const exp = z.map((v) => Math.exp(v - max));
      a = config.activation === 'softmax' ? exp.map((e) => e / exp.reduce((s, v) => s + v, 0)) : z.map(f[config.activation!]!);
      expected.push({ z, a });
    }
    expect(offset).toBe(floats.length);
    expect(inspection.layers.map((l) => [l.layer, l.units])).toEqual(expected.map((l, i) => [i, l.z.length]));
    const close = (got: number[], want: number[]) => got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(want[i]!))));
    inspection.layers.forEach((layer, i) => {
      close(layer.z, expected[i]!.z);
      close(layer.a, expected[i]!.a);
    });

    await expect(api.request('POST', `/models/${modelId}/inspect`, form('file', 2))).rejects.toMatchObject({ status: 413, body: { message: expect.stringContaining('one image') } });
    await expect(api.request('POST', `/models/${modelId}/inspect`, form('files'))).rejects.toMatchObject({ status: 400, body: { message: expect.stringContaining('"file"') } });
    await api.request('DELETE', `/models/${modelId}/aliases/inspected`);
  });
});
