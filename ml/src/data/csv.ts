/**
 * CSV datasets: one sample per line, the label first, then the feature values. A first line whose
 * fields are mostly not numbers is a header and is skipped. Blank lines are ignored; gzip is detected.
 */
import { FileFormatError } from '@flexmoe/shared';
import { MAX_CLASSES, readSourceFile } from './source';

/** Raw (not yet normalised) rows of one CSV file. */
export interface CsvTable {
  /** The file the rows came from (for later error messages). */
  file: string;
  /** Values per row after the label. */
  features: number;
  /** `rows * features` raw values. */
  values: Float32Array;
  /** One label per row. */
  labels: Uint8Array;
}

const isNumeric = (field: string): boolean => field.trim() !== '' && Number.isFinite(Number(field));

/** A header names its columns: most fields are not numbers (a bad data row has only a few). */
function isHeader(line: string): boolean {
  const fields = line.split(',');
  return fields.filter((f) => !isNumeric(f)).length * 2 > fields.length;
}

/** Splits text into non-blank lines with their 1-based line numbers. */
function numberedLines(text: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  text.split(/\r?\n/).forEach((t, i) => {
    if (t.trim() !== '') out.push({ line: i + 1, text: t });
  });
  return out;
}

function parseLabel(file: string, line: number, field: string): number {
  const v = Number(field);
  if (!isNumeric(field)) throw new FileFormatError(`${file}: line ${line}: non-numeric label '${field.trim()}'`);
  if (!Number.isInteger(v) || v < 0 || v >= MAX_CLASSES) {
    throw new FileFormatError(`${file}: line ${line}: label ${field.trim()} out of range (integer 0..${MAX_CLASSES - 1})`);
  }
  return v;
}

/** Parses CSV text read from `file`, checking every row length and value. */
export function parseCsv(file: string, text: string): CsvTable {
  let rows = numberedLines(text);
  const first = rows[0];
  if (first && isHeader(first.text)) rows = rows.slice(1);
  const head = rows[0];
  if (!head) throw new FileFormatError(`${file}: no data rows`);
  const width = head.text.split(',').length;
  if (width < 2) throw new FileFormatError(`${file}: line ${head.line}: need a label and at least one value`);
  const features = width - 1;
  const values = new Float32Array(rows.length * features);
  const labels = new Uint8Array(rows.length);
  rows.forEach(({ line, text: rowText }, r) => {
    const fields = rowText.split(',');
    if (fields.length !== width) {
      throw new FileFormatError(`${file}: line ${line}: inconsistent row length ${fields.length}, expected ${width}`);
    }
    labels[r] = parseLabel(file, line, fields[0] as string);
    for (let j = 1; j < width; j++) {
      const field = fields[j] as string;
      if (!isNumeric(field)) {
        throw new FileFormatError(`${file}: line ${line}, column ${j + 1}: non-numeric value '${field.trim()}'`);
      }
      values[r * features + j - 1] = Number(field);
    }
  });
  return { file, features, values, labels };
}

/** Reads and parses one CSV file (gzip detected by magic). */
export async function readCsv(file: string): Promise<CsvTable> {
  return parseCsv(file, (await readSourceFile(file)).toString('utf8'));
}
