import { readArchive } from '#libs/preprocess';
import sharp from 'sharp';
import { drawShapes, SHAPE_CLASSES } from './shapes.js';
import { shapesZip } from './shapes-zip.js';

describe('drawShapes', () => {
  it('draws perClass images of each class as size×size gray PNGs in class folders', async () => {
    const images = await drawShapes({ perClass: 4, size: 48, seed: 7 });

    expect(images).toHaveLength(12);
    expect(SHAPE_CLASSES.map((c) => images.filter((i) => i.label === c).length)).toEqual([4, 4, 4]);
    expect(images.slice(0, 2).map((i) => i.path)).toEqual(['circle/0001.png', 'circle/0002.png']);
    expect(images.at(-1)?.path).toBe('triangle/0004.png');
    const meta = await sharp(images[0].png).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 48, 48, 1]);
  });

  it('draws the same bytes for the same seed and different ones for another', async () => {
    const [a, b, c] = await Promise.all([
      drawShapes({ perClass: 3, seed: 'x' }),
      drawShapes({ perClass: 3, seed: 'x' }),
      drawShapes({ perClass: 3, seed: 'y' }),
    ]);
    expect(b).toEqual(a);
    expect(c.map((i) => i.png)).not.toEqual(a.map((i) => i.png));
  });

  it('puts a shape darker than its background on every canvas', async () => {
    for (const image of await drawShapes({ perClass: 5, size: 32, seed: 3 })) {
      const { data } = await sharp(image.png).raw().toBuffer({ resolveWithObject: true });
      // Shapes never reach the corners, so a corner shows the background.
      expect(data[0] - Math.min(...data)).toBeGreaterThanOrEqual(75);
    }
  });
});

describe('shapesZip', () => {
  it('packs the images into a zip that readArchive reads back as three labelled classes', async () => {
    const options = { perClass: 3, size: 32, seed: 11 };
    const [zip, images] = await Promise.all([shapesZip(options), drawShapes(options)]);

    const archive = await readArchive(zip);

    expect(archive.classes).toEqual(['circle', 'square', 'triangle']);
    expect(archive.images.map((i) => [i.path, i.label])).toEqual(images.map((i) => [i.path, i.label]));
    expect(await archive.images[4].read()).toEqual(images[4].png);
    archive.close();
  });

  it('is byte-for-byte reproducible', async () => {
    expect(await shapesZip({ perClass: 2, seed: 1 })).toEqual(await shapesZip({ perClass: 2, seed: 1 }));
  });
});
