export type ArchiveErrorCode =
  | 'NOT_A_ZIP'
  | 'NO_IMAGES'
  | 'OUTSIDE_CLASS_FOLDER'
  | 'UNSAFE_PATH'
  | 'TOO_LARGE'
  | 'CORRUPT_ENTRY'
  /** labels.csv cannot be parsed, has the wrong columns, or lists a file twice. */
  | 'MANIFEST_INVALID'
  /** labels.csv names a file the zip does not hold. */
  | 'MISSING_FILE'
  /** A manifest row or an uploaded file has an empty label. */
  | 'EMPTY_LABEL'
  /** The multipart `labels` field cannot be parsed or does not match the files one to one. */
  | 'LABELS_INVALID'
  /** An image could not be decoded and the caller asked for that to fail the whole dataset. */
  | 'BAD_IMAGE';

/** A problem with the uploaded archive as a whole or with one of its entries; the message names the entry. */
export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';

  constructor(
    readonly code: ArchiveErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type ImageErrorCode = 'CORRUPT' | 'TOO_LARGE';

/** An image that cannot be turned into pixels; callers skip it and record the message. */
export class ImageError extends Error {
  override readonly name = 'ImageError';

  constructor(
    readonly code: ImageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function messageOf(err: unknown): string {
  // Some zlib errors arrive with "Error: " already inside their message.
  return (err instanceof Error ? err.message : String(err)).replace(/^Error: /, '');
}
