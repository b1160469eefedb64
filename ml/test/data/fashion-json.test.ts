import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FileFormatError } from '@flexmoe/shared';
import { scanClassImages } from '../../src/data/fashion-json';

const row = (v: number | string, n = 784): string => `[${new Array(n).fill(v).join(',')}]`;
const scan = (text: string, needed = 2): Uint8Array => scanClassImages('c.json', Buffer.from(text), needed);

test('the byte scanner reads a package class file exactly as JSON.parse does, skipping empty entries', () => {
  const file = join(dirname(require.resolve('fashion-mnist/package.json')), 'src', 'clothes', '0.json');
  const bytes = readFileSync(file);
  const rows = (JSON.parse(bytes.toString('utf8')) as { data: number[][] }).data.filter((r) => r.length > 0).slice(0, 7000);
  const scanned = scanClassImages(file, bytes, 7000);
  assert.equal(scanned.length, 7000 * 784);
  assert.deepEqual(scanned, Uint8Array.from(rows.flat()));
});

test('the byte scanner accepts whitespace and empty entries, and rejects malformed files naming them', () => {
  const two = scan(` { "data" : [ [], ${row(255)} ,\n ${row(7).replace(',', ' , ')} ] } `);
  assert.deepEqual([two[0], two[783], two[784], two[1567]], [255, 255, 7, 7]);
  const bad = (text: string, why: RegExp): void =>
    assert.throws(
      () => scan(text),
      (err: unknown) => err instanceof FileFormatError && err.message.startsWith('c.json: ') && why.test(err.message),
    );
  bad('{"images":[]}', /expected \{data: \[\.\.\.\]\}/);
  bad(`{"data":[${row(1)}]}`, /1 images, expected at least 2/);
  bad(`{"data":[${row(1)},${row(1, 783)}]}`, /image 1 does not have 784 values/);
  bad(`{"data":[${row(1)},${row(1, 785)}]}`, /image 1 does not have 784 values/);
  bad(`{"data":[${row(256)},${row(1)}]}`, /image 0 has a value outside 0\.\.255/);
  bad(`{"data":[${row(-1)},${row(1)}]}`, /image 0: expected an integer 0\.\.255/);
  bad(`{"data":[${row('1.5')},${row(1)}]}`, /image 0: expected ',' or '\]'/);
  bad(`{"data":[${row(1)},{}]}`, /expected '\[' starting image 1/);
  bad(`{"data":[${row(1)},[1,2`, /image 1/);
});
