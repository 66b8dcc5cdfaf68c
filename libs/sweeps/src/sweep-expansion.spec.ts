import { SweepSpecSchema } from '#libs/contracts';
import { expandSweep, SweepPathError, sweepSize } from './index.js';

const base = { datasetId: 'd', layers: [{ units: 8, activation: 'relu' }], optimizer: { name: 'sgd', learningRate: 0.1 }, batchSize: 4, epochs: 2 };
const parse = (spec: object) => SweepSpecSchema.parse({ base, ...spec });

describe('expanding a sweep into runs', () => {
  it('makes the cartesian product of the grid, the first path in sorted order varying slowest', () => {
    const spec = parse({ grid: { 'optimizer.learningRate': [0.1, 0.01], batchSize: [4, 8, 16] } });
    const points = expandSweep(spec, 1);
    expect(sweepSize(spec)).toBe(6);
    expect(points.map((p) => p.params)).toEqual([
      { batchSize: 4, 'optimizer.learningRate': 0.1 },
      { batchSize: 4, 'optimizer.learningRate': 0.01 },
      { batchSize: 8, 'optimizer.learningRate': 0.1 },
      { batchSize: 8, 'optimizer.learningRate': 0.01 },
      { batchSize: 16, 'optimizer.learningRate': 0.1 },
      { batchSize: 16, 'optimizer.learningRate': 0.01 },
    ]);
    expect(points[3]!.spec).toEqual({ ...base, batchSize: 8, optimizer: { name: 'sgd', learningRate: 0.01 } });
    expect(base.optimizer.learningRate).toBe(0.1); // the base is copied, never changed
  });

  it('sets array elements and new object keys, and whole values such as a list of layers', () => {
    const spec = parse({ grid: { 'layers.0.units': [32], 'optimizer.weightDecay': [0.001], earlyStopping: [{ patience: 2 }] } });
    expect(expandSweep(spec, 1)[0]!.spec).toMatchObject({ layers: [{ units: 32, activation: 'relu' }], optimizer: { weightDecay: 0.001 }, earlyStopping: { patience: 2 } });
    const layers = expandSweep(parse({ grid: { layers: [[{ units: 4, activation: 'tanh' }, { units: 4, activation: 'tanh' }]] } }), 1);
    expect(layers[0]!.spec.layers).toHaveLength(2);
  });

  it('draws the same values for the same seed and different ones for another', () => {
    const spec = parse({ random: { trials: 5, 'optimizer.learningRate': { min: 1e-4, max: 1, log: true }, batchSize: [4, 8, 16] } });
    const values = (seed: number) => expandSweep(spec, seed).map((p) => p.params);
    expect(values(7)).toEqual(values(7));
    expect(values(7)).not.toEqual(values(8));
    expect(values(7)).toHaveLength(5);
  });

  it('keeps draws inside their range: log-uniform spreads over the decades, integer gives whole numbers at both ends', () => {
    const logSpec = parse({ random: { trials: 2_000, 'optimizer.learningRate': { min: 1e-4, max: 1, log: true } } });
    const rates = expandSweep(logSpec, 3).map((p) => p.params['optimizer.learningRate'] as number);
    expect(Math.min(...rates)).toBeGreaterThanOrEqual(1e-4);
    expect(Math.max(...rates)).toBeLessThanOrEqual(1);
    // Log-uniform over four decades puts about a quarter in each; uniform would put 0.01 % below 1e-3.
    const perDecade = [1e-4, 1e-3, 1e-2, 1e-1].map((lo) => rates.filter((r) => r >= lo && r < lo * 10).length / rates.length);
    for (const share of perDecade) expect(share).toBeGreaterThan(0.18);

    const intSpec = parse({ random: { trials: 500, batchSize: { min: 2, max: 5, integer: true } } });
    const sizes = expandSweep(intSpec, 3).map((p) => p.params.batchSize as number);
    expect(new Set(sizes)).toEqual(new Set([2, 3, 4, 5]));
  });

  it('draws `trials` values for every grid combination when both are given', () => {
    const spec = parse({ grid: { batchSize: [4, 8] }, random: { trials: 3, 'optimizer.learningRate': { min: 0.01, max: 0.1 } } });
    const points = expandSweep(spec, 1);
    expect(sweepSize(spec)).toBe(6);
    expect(points.map((p) => p.params.batchSize)).toEqual([4, 4, 4, 8, 8, 8]);
    expect(new Set(points.map((p) => p.params['optimizer.learningRate'])).size).toBe(6);
  });

  it.each([
    ['an index past the end of an array', { grid: { 'layers.1.units': [8] } }, 'layers.1.units', /layers has 1 element/],
    ['a path through a number', { grid: { 'batchSize.x': [1] } }, 'batchSize.x', /batchSize is not an object/],
    ['a path under a missing object', { grid: { 'earlyStopping.patience': [1] } }, 'earlyStopping.patience', /earlyStopping is not/],
    ['the same path in grid and random', { grid: { batchSize: [4] }, random: { trials: 1, batchSize: [8] } }, 'batchSize', /twice/],
    ['a path inside another swept path', { grid: { optimizer: [{ name: 'adam', learningRate: 0.1 }], 'optimizer.learningRate': [0.1] } }, 'optimizer.learningRate', /inside optimizer/],
    ['a prototype key', { grid: { 'optimizer.__proto__': [{}] } }, 'optimizer.__proto__', /not a field/],
  ])('refuses %s, naming the path', (_, spec, path, problem) => {
    const error = (() => { try { expandSweep(parse(spec), 1); } catch (e) { return e; } })() as SweepPathError;
    expect(error).toBeInstanceOf(SweepPathError);
    expect(error.path).toBe(path);
    expect(error.message).toMatch(problem);
  });

  it.each([
    ['no grid and no random', {}, 'grid'],
    ['an empty list of values', { grid: { batchSize: [] } }, 'grid.batchSize'],
    ['a path that is not dotted names and indices', { grid: { 'layers[0].units': [1] } }, 'grid.layers[0].units'],
    ['a log range from zero', { random: { trials: 1, 'optimizer.learningRate': { min: 0, max: 1, log: true } } }, 'random.optimizer.learningRate'],
    ['min above max', { random: { trials: 1, batchSize: { min: 9, max: 1 } } }, 'random.batchSize'],
    ['random without trials', { random: { batchSize: [4] } }, 'random.trials'],
    ['an unknown metric', { grid: { batchSize: [4] }, metric: 'f1' }, 'metric'],
  ])('refuses a sweep spec with %s, naming where', (_, spec, path) => {
    const result = SweepSpecSchema.safeParse({ base, ...spec });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});
