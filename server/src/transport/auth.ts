/**
 * Client authentication at the transport edge: a tokens file (client id -> token) and/or mutual
 * TLS. An unauthenticated call is refused before it reaches the coordinator, so it changes nothing.
 */
import { readFileSync } from 'node:fs';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import { FileFormatError } from '@flexmoe/shared';
import { METADATA_CLIENT_ID, METADATA_TOKEN } from '@flexmoe/shared/dist/src/protocol';
import { UnauthenticatedError } from '../errors';

/** Client id -> token. */
export type TokenTable = ReadonlyMap<string, string>;

/**
 * Reads a tokens file: either a JSON object `{ "client-id": "token", ... }` or lines
 * `client-id token` (blank lines and `#` comments ignored). Throws FileFormatError naming the line.
 */
export function readTokensFile(file: string): TokenTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FileFormatError(`cannot read tokens file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const table = text.trimStart().startsWith('{') ? parseJsonTokens(file, text) : parseLineTokens(file, text);
  if (table.size === 0) throw new FileFormatError(`tokens file ${file} lists no clients`);
  return table;
}

function parseJsonTokens(file: string, text: string): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new FileFormatError(`tokens file ${file}: invalid JSON: ${(err as Error).message}`, { cause: err });
  }
  const table = new Map<string, string>();
  for (const [id, token] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof token !== 'string' || token.length === 0) {
      throw new FileFormatError(`tokens file ${file}: token of client '${id}' must be a non-empty string`);
    }
    table.set(id, token);
  }
  return table;
}

function parseLineTokens(file: string, text: string): Map<string, string> {
  const table = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parts = line.split(/\s+/);
    if (parts.length !== 2) throw new FileFormatError(`tokens file ${file}:${i + 1}: expected 'client-id token'`);
    table.set(parts[0]!, parts[1]!);
  });
  return table;
}

/** How the coordinator authenticates callers. */
export interface AuthOptions {
  /** Tokens file contents; when absent, the client id alone (or the mTLS certificate) is trusted. */
  readonly tokens?: TokenTable;
  /** Mutual TLS is on: the transport already verified the client certificate. */
  readonly mutualTls?: boolean;
}

/** The parts of a server call that authentication reads. */
export interface AuthenticatableCall {
  readonly metadata: Metadata;
  getAuthContext(): { transportSecurityType?: string; sslPeerCertificate?: PeerCertificate };
}

function firstString(metadata: Metadata, key: string): string | undefined {
  const v = metadata.get(key)[0];
  return typeof v === 'string' ? v : v === undefined ? undefined : v.toString('utf8');
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Returns the authenticated client id of a call, or throws UnauthenticatedError. With mTLS the
 * certificate's common name, when present, must equal the claimed client id.
 */
export function authenticate(call: AuthenticatableCall, options: AuthOptions): string {
  const clientId = firstString(call.metadata, METADATA_CLIENT_ID);
  if (!clientId) throw new UnauthenticatedError(`missing ${METADATA_CLIENT_ID} metadata`);
  if (options.tokens) {
    const expected = options.tokens.get(clientId);
    const given = firstString(call.metadata, METADATA_TOKEN);
    if (expected === undefined) throw new UnauthenticatedError(`unknown client '${clientId}'`);
    if (given === undefined || !sameSecret(given, expected)) {
      throw new UnauthenticatedError(`bad or missing token for client '${clientId}'`);
    }
  }
  if (options.mutualTls) checkCertificateName(call, clientId);
  return clientId;
}

function checkCertificateName(call: AuthenticatableCall, clientId: string): void {
  const context = call.getAuthContext();
  const cert = context.sslPeerCertificate;
  if (!context.transportSecurityType || !cert) throw new UnauthenticatedError('client certificate required');
  const cn = cert.subject?.CN;
  if (cn && cn !== clientId) throw new UnauthenticatedError(`certificate is for '${String(cn)}', not client '${clientId}'`);
}
