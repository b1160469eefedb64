/**
 * A small self-describing file of named float32 tensors, used for the personal gate the daemon
 * keeps on its own disk. Layout: magic, u32 header length, JSON header (names, shapes, sha256 of
 * the payload), then the raw little-endian payload. The checksum catches a torn or edited file.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { FileFormatError } from '@flexmoe/shared';
import { writeFileAtomic } from '@flexmoe/shared';

/** One named float32 tensor. */
export interface NamedTensor {
  /** Parameter name, e.g. `gate.w`. */
  name: string;
  /** Dimensions; the product equals `data.length`. */
  shape: number[];
  /** Values. */
  data: Float32Array;
}

const MAGIC = Buffer.from('FLEXMOE-TENSORS1\n', 'ascii');

interface Header {
  tensors: { name: string; shape: number[]; length: number }[];
  sha256: string;
  meta: Record<string, unknown>;
}

/** Encodes tensors (and free-form metadata) into the file layout. */
export function encodeTensors(tensors: NamedTensor[], meta: Record<string, unknown> = {}): Buffer {
  const payload = Buffer.concat(tensors.map((t) => littleEndianBytes(t.data)));
  const header: Header = {
    tensors: tensors.map((t) => ({ name: t.name, shape: [...t.shape], length: t.data.length })),
    sha256: createHash('sha256').update(payload).digest('hex'),
    meta,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  return Buffer.concat([MAGIC, length, json, payload]);
}

/** Decodes a buffer written by `encodeTensors`; `source` names the file in errors. */
export function decodeTensors(bytes: Buffer, source: string): { tensors: NamedTensor[]; meta: Record<string, unknown> } {
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new FileFormatError(`${source}: not a flexmoe tensor file (bad magic)`);
  }
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const headerStart = MAGIC.length + 4;
  let header: Header;
  try {
    header = JSON.parse(bytes.subarray(headerStart, headerStart + headerLength).toString('utf8')) as Header;
  } catch (err) {
    throw new FileFormatError(`${source}: unreadable header`, { cause: err });
  }
  const payload = bytes.subarray(headerStart + headerLength);
  const expectedBytes = header.tensors.reduce((sum, t) => sum + t.length * 4, 0);
  if (payload.length !== expectedBytes) {
    throw new FileFormatError(`${source}: payload is ${payload.length} bytes, header declares ${expectedBytes}`);
  }
  if (createHash('sha256').update(payload).digest('hex') !== header.sha256) {
    throw new FileFormatError(`${source}: checksum mismatch (file damaged)`);
  }
  let offset = 0;
  const tensors = header.tensors.map((t) => {
    const data = new Float32Array(t.length);
    for (let i = 0; i < t.length; i++) data[i] = payload.readFloatLE(offset + 4 * i);
    offset += 4 * t.length;
    return { name: t.name, shape: t.shape, data };
  });
  return { tensors, meta: header.meta ?? {} };
}

/** Writes tensors to `file` atomically. */
export async function saveTensors(file: string, tensors: NamedTensor[], meta: Record<string, unknown> = {}): Promise<void> {
  await writeFileAtomic(file, encodeTensors(tensors, meta));
}

/** Reads tensors from `file`, or returns null when it does not exist. */
export async function loadTensors(file: string): Promise<{ tensors: NamedTensor[]; meta: Record<string, unknown> } | null> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new FileFormatError(`${file}: cannot read`, { cause: err });
  }
  return decodeTensors(bytes, file);
}

function littleEndianBytes(data: Float32Array): Buffer {
  const out = Buffer.alloc(data.length * 4);
  for (let i = 0; i < data.length; i++) out.writeFloatLE(data[i], 4 * i);
  return out;
}
