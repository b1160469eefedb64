/**
 * Channel credentials: TLS (a CA to trust), mutual TLS (plus our own
 * certificate and key) or plaintext for loopback (the protocol client puts the client id and
 * token in each call's metadata).
 */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { ConfigError } from '@flexmoe/shared';

/** TLS options of the daemon; all paths are PEM files. */
export interface TlsFiles {
  /** CA bundle to verify the coordinator with (default: the system roots when cert/key are set). */
  ca?: string;
  /** Our certificate, for mutual TLS. */
  cert?: string;
  /** Our private key, for mutual TLS. */
  key?: string;
  /** Expected name in the coordinator's certificate when it differs from the dialled host. */
  serverName?: string;
}

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(`${flag} ${file}: cannot read (${(err as Error).message})`, { cause: err });
  }
}

/** True when any TLS option is set (the channel then uses TLS). */
export function usesTls(tls: TlsFiles): boolean {
  return Boolean(tls.ca || tls.cert || tls.key);
}

/** Builds channel credentials; refuses a certificate without its key and the reverse. */
export function channelCredentials(tls: TlsFiles): grpc.ChannelCredentials {
  if (!usesTls(tls)) return grpc.credentials.createInsecure();
  if (Boolean(tls.cert) !== Boolean(tls.key)) {
    throw new ConfigError('--tls-cert and --tls-key go together (mutual TLS needs both)');
  }
  const ca = tls.ca ? readPem(tls.ca, '--tls-ca') : null;
  const key = tls.key ? readPem(tls.key, '--tls-key') : null;
  const cert = tls.cert ? readPem(tls.cert, '--tls-cert') : null;
  return grpc.credentials.createSsl(ca, key, cert);
}
