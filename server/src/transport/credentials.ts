/** Server credentials: insecure, TLS (cert + key) or mutual TLS (plus a CA for client certificates). */
import { readFileSync } from 'node:fs';
import { ServerCredentials } from '@grpc/grpc-js';
import { ConfigError, FileFormatError } from '@flexmoe/shared';

/** TLS file options as given on the command line. */
export interface TlsFiles {
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
}

function readPem(file: string, what: string): Buffer {
  try {
    const pem = readFileSync(file);
    if (!pem.toString('utf8').includes('-----BEGIN')) throw new Error('not a PEM file');
    return pem;
  } catch (err) {
    throw new FileFormatError(`cannot read TLS ${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** Builds the server credentials; `mutual` is true when client certificates are required. */
export function serverCredentials(tls: TlsFiles): { credentials: ServerCredentials; mutual: boolean } {
  if (!tls.cert && !tls.key && !tls.ca) return { credentials: ServerCredentials.createInsecure(), mutual: false };
  if (!tls.cert || !tls.key) throw new ConfigError('--tls-cert and --tls-key go together');
  const cert = readPem(tls.cert, 'certificate');
  const key = readPem(tls.key, 'key');
  const ca = tls.ca ? readPem(tls.ca, 'CA') : null;
  return { credentials: ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], ca !== null), mutual: ca !== null };
}
