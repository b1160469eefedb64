/**
 * A byte-level reader of the `fashion-mnist` package's class files (`{"data":[[v,...],...]}`,
 * integers 0..255). `JSON.parse` of one 16 MB file makes 7,000 arrays of 784 boxed numbers and a
 * 16 MB string: building the cache that way peaked at 400 MB, more than a small device's whole
 * budget. Scanning the bytes straight into a `Uint8Array` needs the file and the output only.
 */
import { FileFormatError } from '@flexmoe/shared';

const PIXELS = 784;
const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const ZERO = 0x30;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** A cursor over the file's bytes that names the file and offset in every error. */
class Scanner {
  at: number;

  constructor(
    private readonly file: string,
    private readonly bytes: Uint8Array,
    start: number,
  ) {
    this.at = start;
  }

  fail(why: string): never {
    throw new FileFormatError(`${this.file}: ${why} (byte ${this.at})`);
  }

  /** The next byte that is not whitespace (consumed), or -1 at the end. */
  next(): number {
    while (this.at < this.bytes.length && isSpace(this.bytes[this.at]!)) this.at++;
    return this.at < this.bytes.length ? this.bytes[this.at++]! : -1;
  }

  /** Reads one image row after its `[` into `out`; returns its value count. */
  row(index: number, out: Uint8Array): number {
    let count = 0;
    for (;;) {
      let c = this.next();
      if (c === CLOSE && count === 0) return 0;
      let value = -1;
      while (c >= ZERO && c <= ZERO + 9) {
        value = (value < 0 ? 0 : value * 10) + (c - ZERO);
        if (value > 255) this.fail(`image ${index} has a value outside 0..255`);
        c = this.at < this.bytes.length ? this.bytes[this.at++]! : -1;
      }
      if (value < 0) this.fail(`image ${index}: expected an integer 0..255`);
      if (count === PIXELS) this.fail(`image ${index} does not have ${PIXELS} values`);
      out[count] = value;
      count++;
      if (isSpace(c)) c = this.next();
      if (c === CLOSE) return count;
      if (c !== COMMA) this.fail(`image ${index}: expected ',' or ']' after a value`);
    }
  }
}

/**
 * The first `needed` non-empty images of a class file, `needed * 784` bytes. Empty entries (`[]`)
 * are skipped, as the package's class 0 holds two. Throws `FileFormatError` naming the file when
 * the structure is not `{"data":[[...], ...]}`, an image does not have 784 integers in 0..255, or
 * there are fewer than `needed` images.
 */
export function scanClassImages(file: string, bytes: Uint8Array, needed: number): Uint8Array {
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf('"data"');
  const s = new Scanner(file, bytes, key < 0 ? bytes.length : key + 6);
  if (key < 0) s.fail('expected {data: [...]}');
  if (s.next() !== 0x3a || s.next() !== OPEN) s.fail('expected {data: [...]}');
  const out = new Uint8Array(needed * PIXELS);
  let images = 0;
  for (let c = s.next(); images < needed; c = s.next()) {
    if (c === COMMA) continue;
    if (c === CLOSE || c === -1) s.fail(`${images} images, expected at least ${needed}`);
    if (c !== OPEN) s.fail(`expected '[' starting image ${images}`);
    const count = s.row(images, out.subarray(images * PIXELS, (images + 1) * PIXELS));
    if (count === 0) continue;
    if (count !== PIXELS) s.fail(`image ${images} does not have ${PIXELS} values`);
    images++;
  }
  return out;
}
