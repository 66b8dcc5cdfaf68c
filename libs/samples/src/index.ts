export { drawShapes, SHAPE_CLASSES, type ShapeClass, type ShapeImage, type ShapesOptions } from './shapes.js';
export { shapesZip } from './shapes-zip.js';
