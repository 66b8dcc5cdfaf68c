// Preprocessing throughput beside OpenCV in Python, same 1,000 photo-like JPEGs, same machine, one run.
// Run: npm run bench:preprocess   (BENCH_CONCURRENCY=n for images in flight, BENCH_ROUNDS=n)
// Needs Debian's python3-opencv under /usr/bin/python3.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { parsePreprocessSpec, preprocessArchive, toActivations, type PreprocessSpec } from '#libs/preprocess';
import { benchImages, readFloat32 } from './preprocess-images.js';

const COUNT = 1000;
const GRAY_COUNT = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const PYTHON = '/usr/bin/python3';
const PEER = fileURLToPath(new URL('../../bench/preprocess_opencv.py', import.meta.url));
const spec: PreprocessSpec = parsePreprocessSpec({ width: 128, height: 128 });
const pixelsPerImage = spec.width * spec.height;

interface Round {
  imagesPerSecond: number;
  /** CPU time of every thread of the process, per image: less sensitive than wall time to load from elsewhere. */
  cpuMsPerImage: number;
  activations: Float32Array;
}

/** The worker's path: read each file, hash it, toPixels through preprocessArchive, then toActivations as the trainer reads it. */
async function trainyard(paths: string[]): Promise<Round> {
  // Read synchronously, as imread does: fs.promises would queue behind sharp on libuv's 4 threads.
  const images = paths.map((path) => ({ path, label: 'photo', size: 0, read: async () => readFileSync(path) }));
  const started = performance.now();
  const cpu = process.cpuUsage();
  const dataset = await preprocessArchive({ classes: ['photo'], images }, spec, { concurrency: CONCURRENCY });
  const activations = new Float32Array(paths.length * pixelsPerImage);
  for (const sample of dataset.samples) activations.set(toActivations(sample.pixels, spec), sample.index * pixelsPerImage);
  const seconds = (performance.now() - started) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  if (dataset.samples.length !== paths.length) throw new Error(`skipped: ${JSON.stringify(dataset.skipped)}`);
  return { imagesPerSecond: paths.length / seconds, cpuMsPerImage: (user + system) / 1000 / paths.length, activations };
}

async function opencv(paths: string[], work: string): Promise<Round> {
  const list = join(work, 'list.txt');
  const out = join(work, 'opencv.f32');
  await writeFile(list, paths.join('\n'));
  const lines = execFileSync(PYTHON, [PEER, list, String(spec.width), String(spec.height), '1', out], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { imagesPerSecond?: number; cpuMsPerImage?: number; opencv?: string; threads?: number });
  opencvInfo = lines.find((l) => l.opencv) ?? opencvInfo;
  return { imagesPerSecond: lines[0].imagesPerSecond!, cpuMsPerImage: lines[0].cpuMsPerImage!, activations: await readFloat32(out) };
}
let opencvInfo: { opencv?: string; threads?: number } = {};

function compare(a: Float32Array, b: Float32Array) {
  if (a.length !== b.length) throw new Error(`activation counts differ: ${a.length} vs ${b.length}`);
  let max = 0;
  let sum = 0;
  let over = 0;
  let at = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    sum += d;
    if (d > 2 / 255 + 1e-6) over++;
    if (d > max) [max, at] = [d, i];
  }
  const image = Math.floor(at / pixelsPerImage);
  const pixel = at % pixelsPerImage;
  return { max, mean: sum / a.length, over2Levels: over / a.length, image, x: pixel % spec.width, y: Math.floor(pixel / spec.width), ours: a[at], theirs: b[at] };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number) => x.toFixed(0).padStart(5);

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'trainyard-bench-'));
  try {
    const generated = performance.now();
    const { colour, gray, reused } = await benchImages(COUNT, GRAY_COUNT);
    console.log(`${COUNT} photo-like 640×480 JPEGs (q85) ${reused ? 'reused' : `generated in ${((performance.now() - generated) / 1000).toFixed(1)} s`}`);
    console.log(
      `machine: ${cpus()[0]?.model ?? '?'} × ${availableParallelism()}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ` +
        `node ${process.version}, sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}, ` +
        `sharp.concurrency() ${sharp.concurrency()}, UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}, ${CONCURRENCY} images in flight`,
    );
    await trainyard(colour.slice(0, 50)); // warm-up: page cache, libvips start-up
    // Only the first round's activations are compared; dropping the rest keeps ~65 MB per round off the heap.
    const ours: Round[] = [];
    const theirs: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternating rounds share out any load from elsewhere on the machine.
      ours.push(await trainyard(colour));
      theirs.push(await opencv(colour, work));
      if (r > 0) ours[r].activations = theirs[r].activations = new Float32Array(0);
      console.log(
        `round ${r + 1}: trainyard ${fmt(ours[r].imagesPerSecond)} images/s (${ours[r].cpuMsPerImage.toFixed(2)} CPU ms/image)   ` +
          `opencv ${fmt(theirs[r].imagesPerSecond)} images/s (${theirs[r].cpuMsPerImage.toFixed(2)} CPU ms/image)   load ${loadavg()[0].toFixed(2)}`,
      );
    }
    console.log(`opencv ${opencvInfo.opencv ?? '?'} (cv2.getNumThreads() ${opencvInfo.threads ?? '?'}), one Python process, one image at a time`);
    const a = median(ours.map((r) => r.imagesPerSecond));
    const b = median(theirs.map((r) => r.imagesPerSecond));
    const cpuA = median(ours.map((r) => r.cpuMsPerImage));
    const cpuB = median(theirs.map((r) => r.cpuMsPerImage));
    console.log(`\nmedian of ${ROUNDS}: trainyard ${a.toFixed(0)} images/s, opencv ${b.toFixed(0)} images/s, ratio ${(a / b).toFixed(2)}×`);
    console.log(`CPU per image (all threads): trainyard ${cpuA.toFixed(2)} ms, opencv ${cpuB.toFixed(2)} ms (${(cpuB / cpuA).toFixed(2)}× less work per image)`);

    const diff = compare(ours[0].activations, theirs[0].activations);
    console.log(
      `activations (${COUNT} × 128×128): largest |trainyard − opencv| ${diff.max.toFixed(4)} (${(diff.max * 255).toFixed(1)} levels; ` +
        `image ${diff.image}, x ${diff.x}, y ${diff.y}: ${diff.ours.toFixed(4)} vs ${diff.theirs.toFixed(4)}), ` +
        `mean ${diff.mean.toFixed(4)}, ${(diff.over2Levels * 100).toFixed(2)}% differ by more than 2 levels`,
    );
    const grayOpencv = (await opencv(gray, work)).activations;
    const describe = (d: ReturnType<typeof compare>) =>
      `largest ${d.max.toFixed(4)} (${(d.max * 255).toFixed(1)} levels), mean ${d.mean.toFixed(4)}, ${(d.over2Levels * 100).toFixed(2)}% over 2 levels`;
    console.log(`same on ${gray.length} gray JPEGs (no colour weights): ${describe(compare((await trainyard(gray)).activations, grayOpencv))}`);
    // Diagnostic only, not the pipeline: full-size decode, so what is left is Lanczos3 against INTER_AREA.
    const noShrink = new Float32Array(gray.length * pixelsPerImage);
    for (const [i, path] of gray.entries()) {
      const pixels = await sharp(readFileSync(path)).resize(spec.width, spec.height, { fit: 'fill', fastShrinkOnLoad: false }).toColourspace('b-w').raw().toBuffer();
      noShrink.set(toActivations(pixels, spec), i * pixelsPerImage);
    }
    console.log(`  the same without JPEG shrink-on-load (full-size decode, then Lanczos3): ${describe(compare(noShrink, grayOpencv))}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
