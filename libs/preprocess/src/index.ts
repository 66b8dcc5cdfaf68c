export { ArchiveError, ImageError, type ArchiveErrorCode, type ImageErrorCode } from './errors.js';
export {
  DEFAULT_ARCHIVE_LIMITS,
  archiveLimitsOf,
  IMAGE_EXTENSIONS,
  MAX_MANIFEST_BYTES,
  inspectArchive,
  readArchive,
  type Archive,
  type ArchiveImage,
  type ArchiveLimits,
  type ArchiveSkip,
  type ArchiveSummary,
  type ZipSource,
} from './archive.js';
export { MANIFEST_NAME, parseLabelsField, parseManifest, type ManifestRow } from './manifest.js';
export { archiveFromFiles, writeZipFromFiles, zipFromFiles, type UploadedFile } from './uploaded-files.js';
export {
  DEFAULT_PREPROCESS_SPEC,
  DEFAULT_SPLIT,
  FITS,
  MAX_INPUT_SIZE,
  MAX_ROUND_DECIMALS,
  MAX_SIDE,
  PreprocessSpecSchema,
  SPLITS,
  SplitFractionsSchema,
  parsePreprocessSpec,
  type Fit,
  type PreprocessSpec,
  type PreprocessSpecInput,
  type Split,
  type SplitFractions,
} from './preprocess-spec.js';
export { activationRows, activationTable, toActivations, type ActivationSpec } from './activations.js';
export { assignSplits } from './split.js';
export { MAX_INPUT_PIXELS, toPixels, type ImageSize, type PixelSpec } from './image.js';
export {
  preprocessArchive,
  type DatasetCounts,
  type DuplicateGroup,
  type PreprocessedDataset,
  type PreprocessOptions,
  type Sample,
  type SkippedFile,
  type SplitCounts,
} from './preprocessed-dataset.js';
export { storedSpec } from './stored-spec.js';
export { chunkRanges, type ChunkRange } from './chunks.js';
export { BlockZipReader, fileBlocks, type BlockSource } from './block-reader.js';
