export { ArchiveError, ImageError, type ArchiveErrorCode, type ImageErrorCode } from './errors.js';
export {
  DEFAULT_ARCHIVE_LIMITS,
  IMAGE_EXTENSIONS,
  inspectArchive,
  readArchive,
  type Archive,
  type ArchiveImage,
  type ArchiveLimits,
  type ArchiveSummary,
} from './archive.js';
export { MAX_INPUT_PIXELS, toActivations, toPixels, type ImageSize } from './image.js';
export {
  preprocessArchive,
  type PreprocessedDataset,
  type PreprocessOptions,
  type Sample,
  type SkippedFile,
} from './preprocessed-dataset.js';
