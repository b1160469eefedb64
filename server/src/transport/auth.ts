/**
 * Client authentication at the transport edge: a tokens file (client id -> token) and/or mutual
 * TLS. An unauthenticated call is refused before it reaches the coordinator, so it changes nothing.
 */
import { readFileSync } from 'node:fs';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import { FileFormatError } from '@flexmoe/shared';
import { METADATA_CLIENT_ID, METADATA_TOKEN } from '@flexmoe/proto';
import { UnauthenticatedError } from '../errors';

/** A one-line secret file (e.g. the status bearer token); FileFormatError when empty or unreadable. */
export function readSecretFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new FileFormatError(`cannot read secret file ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (text === '' || /\s/.test(text)) throw new FileFormatError(`secret file ${file} must hold one token without spaces`);
  return text;
}

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
  /** When set, only these client ids may call at all. */
  readonly allowedClients?: ReadonlySet<string>;
}

/** The parts of a server call that authentication reads. */
export interface AuthenticatableCall {
  readonly metadata: Metadata;
  getAuthContext(): { transportSecurityType?: string; sslPeerCertificate?: PeerCertificate };
}

/**
 * The one answer for an unknown client id, a wrong token or an id outside the allow-list: the
 * text must not tell them apart, or client ids could be enumerated.
 */
export const AUTH_FAILED = 'authentication failed: unknown client id or wrong token';

function firstString(metadata: Metadata, key: string): string | undefined {
  const v = metadata.get(key)[0];
  return typeof v === 'string' ? v : v === undefined ? undefined : v.toString('utf8');
}

/** Constant-time comparison of two secrets of any length. */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Returns the authenticated client id of a call, or throws UnauthenticatedError. With mTLS the
 * claimed id must be one of the certificate's identities (its DNS / URI subject alternative
 * names and its common name); a certificate with none of them is refused.
 */
export function authenticate(call: AuthenticatableCall, options: AuthOptions): string {
  const clientId = firstString(call.metadata, METADATA_CLIENT_ID);
  if (!clientId) throw new UnauthenticatedError(`missing ${METADATA_CLIENT_ID} metadata`);
  if (options.allowedClients && !options.allowedClients.has(clientId)) throw new UnauthenticatedError(AUTH_FAILED);
  if (options.tokens) {
    // Compare against a dummy secret for an unknown id, so both paths cost the same.
    const expected = options.tokens.get(clientId);
    const given = firstString(call.metadata, METADATA_TOKEN) ?? '';
    const match = sameSecret(given, expected ?? '\u0000no such client');
    if (expected === undefined || !match) throw new UnauthenticatedError(AUTH_FAILED);
  }
  if (options.mutualTls) checkCertificateIdentity(call, clientId);
  return clientId;
}

/** The identities a client certificate vouches for: DNS and URI subject alternative names, then the CN. */
export function certificateIdentities(cert: PeerCertificate): string[] {
  const ids: string[] = [];
  for (const part of (cert.subjectaltname ?? '').split(',')) {
    const m = /^\s*(DNS|URI):(.+)$/.exec(part);
    if (m) ids.push(m[2]!.trim());
  }
  const cn = cert.subject?.CN;
  if (typeof cn === 'string' && cn !== '') ids.push(cn);
  return ids;
}

function checkCertificateIdentity(call: AuthenticatableCall, clientId: string): void {
  const context = call.getAuthContext();
  const cert = context.sslPeerCertificate;
  if (!context.transportSecurityType || !cert || Object.keys(cert).length === 0) throw new UnauthenticatedError('client certificate required');
  const ids = certificateIdentities(cert);
  if (ids.length === 0) throw new UnauthenticatedError('client certificate names no identity (neither a subject alternative name nor a common name)');
  if (!ids.includes(clientId)) throw new UnauthenticatedError(`certificate is for ${ids.map((i) => `'${i}'`).join(', ')}, not client '${clientId}'`);
}
