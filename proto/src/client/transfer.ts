/**
 * Tensor transfer over the protocol's streams: a Download read chunk by chunk into the
 * assembler (CRC-32, shape and finite checks as the bytes arrive), and a Submit written with
 * back-pressure. The caller hands over the expected tensors; nothing half-checked comes out.
 */
import type * as grpc from '@grpc/grpc-js';
import { BadReplyError } from '../errors';
import { TensorAssembler, chunkTensors, totalBytes, type TensorSpec, type VerifiedTensorStore, type WireTensor } from '../tensor-codec';
import type { SubmitMessage, TensorChunk__Output } from '../types';
import { cancelOnAbort, toCallError } from './call';

/** What a download expects and how it checks it. */
export interface DownloadExpectation {
  /** The tensors that may arrive; any other name is refused. */
  readonly specs: readonly TensorSpec[];
  /** Allow a subset of `specs` (default: every one must arrive, BadReplyError otherwise). */
  readonly partial?: boolean;
  /**
   * Tensors already verified by another download (same spec and CRC-32): only checksummed,
   * neither copied nor scanned; the data handed out is shared and read-only.
   */
  readonly store?: VerifiedTensorStore;
}

/** A finished download. */
export interface Downloaded {
  /** The tensors received, in the order of `specs`. */
  readonly tensors: WireTensor[];
  readonly byName: ReadonlyMap<string, WireTensor>;
  /** Tensor bytes received. */
  readonly bytes: number;
}

/** Reads a Download stream into validated tensors; BadReplyError for damaged or missing tensors. */
export async function readDownload(
  call: grpc.ClientReadableStream<TensorChunk__Output>,
  expect: DownloadExpectation,
  signal: AbortSignal | undefined,
  onBytes: (bytes: number) => void,
): Promise<Downloaded> {
  const byName = new Map(expect.specs.map((s) => [s.name, s]));
  const assembler = new TensorAssembler({ expect: (name) => byName.get(name), maxBytes: totalBytes(expect.specs), store: expect.store });
  const stop = cancelOnAbort(call, signal);
  try {
    for await (const chunk of call as AsyncIterable<TensorChunk__Output>) {
      try {
        assembler.push(chunk);
      } catch (err) {
        throw new BadReplyError(`Download: the coordinator sent a bad tensor: ${(err as Error).message}`, { cause: err });
      }
      onBytes(chunk.data.length);
    }
  } catch (err) {
    throw toCallError('Download', err, signal);
  } finally {
    stop();
    call.cancel();
  }
  return collect(assembler, expect);
}

function collect(assembler: TensorAssembler, expect: DownloadExpectation): Downloaded {
  let got: Map<string, WireTensor>;
  try {
    got = assembler.finish();
  } catch (err) {
    throw new BadReplyError(`Download: ${(err as Error).message}`, { cause: err });
  }
  const tensors: WireTensor[] = [];
  for (const spec of expect.specs) {
    const tensor = got.get(spec.name);
    if (tensor) tensors.push(tensor);
    else if (!expect.partial) throw new BadReplyError(`Download: tensor ${spec.name} missing`);
  }
  return { tensors, byName: got, bytes: assembler.receivedBytes };
}

/** The Submit messages of an update: the header (with its tensor count and bytes), then the chunks. */
export function* updateMessages(header: NonNullable<SubmitMessage['header']>, tensors: readonly WireTensor[]): Generator<SubmitMessage> {
  yield { header: { ...header, tensorCount: tensors.length, totalBytes: totalBytes(tensors) } };
  for (const chunk of chunkTensors(tensors)) yield { chunk };
}

/**
 * Writes `messages` to a Submit stream, waiting for 'drain' when the stream is full, then ends
 * it; returns the tensor bytes written. A failure cancels the call (its callback reports why).
 */
export async function writeSubmit(
  call: grpc.ClientWritableStream<SubmitMessage>,
  messages: Iterable<SubmitMessage> | AsyncIterable<SubmitMessage>,
): Promise<number> {
  let sent = 0;
  try {
    for await (const message of messages) {
      sent += message.chunk?.data?.length ?? 0;
      if (!call.write(message)) await drained(call);
    }
    call.end();
  } catch {
    call.cancel();
  }
  return sent;
}

/** Resolves when a full stream drains, or closes or fails (the call's callback then says why). */
function drained(call: grpc.ClientWritableStream<SubmitMessage>): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      call.off('close', done);
      call.off('error', done);
      resolve();
    };
    call.on('drain', done);
    call.on('close', done);
    call.on('error', done);
  });
}
