import { parse } from 'csv-parse/sync';
import { ArchiveError, messageOf } from './errors.js';

/** The manifest's file name, matched case-insensitively at the top of a zip (or in its one wrapper folder). */
export const MANIFEST_NAME = 'labels.csv';

export interface ManifestRow {
  /** As written in the manifest, relative to the manifest's folder. */
  file: string;
  label: string;
  /** 1-based line in the manifest, for error messages. */
  line: number;
}

const FILE_HEADERS = ['filename', 'file', 'path'];
const LABEL_HEADERS = ['label', 'class'];

/**
 * Reads a `filename,label` manifest: RFC 4180 CSV (quotes, embedded commas and newlines), UTF-8 with or
 * without BOM, blank lines ignored, cells trimmed. A first row naming the columns (filename/file/path
 * and label/class, any order, extra columns allowed) is a header; without one, rows have exactly two cells.
 */
export function parseManifest(text: string | Buffer): ManifestRow[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, trim: true, skip_empty_lines: true, info: true }) as unknown as typeof records;
  } catch (err) {
    throw new ArchiveError('MANIFEST_INVALID', `${MANIFEST_NAME} is not valid CSV (${messageOf(err)})`);
  }
  if (records.length === 0) throw new ArchiveError('NO_IMAGES', `${MANIFEST_NAME} lists no images`);

  const head = records[0].record.map((cell) => cell.toLowerCase());
  const fileColumn = head.findIndex((cell) => FILE_HEADERS.includes(cell));
  const labelColumn = head.findIndex((cell) => LABEL_HEADERS.includes(cell));
  const hasHeader = fileColumn !== -1 && labelColumn !== -1;
  const rows = hasHeader ? records.slice(1) : records;
  if (!hasHeader && head.length !== 2) {
    throw new ArchiveError(
      'MANIFEST_INVALID',
      `${MANIFEST_NAME} needs two columns, filename,label (or a header row naming them); line ${records[0].info.lines} has ${head.length}`,
    );
  }
  if (rows.length === 0) throw new ArchiveError('NO_IMAGES', `${MANIFEST_NAME} lists no images`);

  return rows.map(({ record, info }) => {
    const file = record[hasHeader ? fileColumn : 0];
    const label = record[hasHeader ? labelColumn : 1];
    if (file === '') throw new ArchiveError('MANIFEST_INVALID', `${MANIFEST_NAME} line ${info.lines} has an empty filename`);
    if (label === '') {
      throw new ArchiveError('EMPTY_LABEL', `${MANIFEST_NAME} line ${info.lines} gives "${file}" an empty label`);
    }
    return { file, label, line: info.lines };
  });
}

/**
 * Reads the `labels` field of a multipart upload: a JSON array (`["cat","dog"]`, numbers allowed) or a
 * comma-separated list (`cat,dog`, CSV quoting allowed for labels holding commas).
 */
export function parseLabelsField(field: string): string[] {
  const text = field.trim();
  if (text === '') return [];
  if (text.startsWith('[')) {
    let values: unknown;
    try {
      values = JSON.parse(text);
    } catch (err) {
      throw new ArchiveError('LABELS_INVALID', `labels is not valid JSON (${messageOf(err)})`);
    }
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) {
      throw new ArchiveError('LABELS_INVALID', 'labels must be a JSON array of strings or numbers');
    }
    return values.map((v) => String(v).trim());
  }
  let records: string[][];
  try {
    records = parse(text, { trim: true });
  } catch (err) {
    throw new ArchiveError('LABELS_INVALID', `labels is not a valid comma-separated list (${messageOf(err)})`);
  }
  if (records.length !== 1) {
    throw new ArchiveError('LABELS_INVALID', 'labels must be one comma-separated line or a JSON array');
  }
  return records[0];
}
