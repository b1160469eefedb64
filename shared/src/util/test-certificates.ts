/**
 * Throwaway X.509 material for mutual-TLS tests, made with the real `openssl` command: a CA, a
 * server certificate for localhost/127.0.0.1 and client certificates, all signed by the CA and
 * valid for one day. Files land in `dir` as `<name>.crt` / `<name>.key` (`ca.crt`, `server.crt`).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** Signs `<name>.crt` for `subject` with the CA in `dir`, with the given X.509v3 extensions. */
function issue(dir: string, name: string, subject: string, ext: string): void {
  openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`);
  writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
  const sign = ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1'];
  openssl(dir, ...sign, '-out', `${name}.crt`, '-extfile', `${name}.ext`);
}

/**
 * CA, server certificate, one client certificate per common name in `clients`, plus `extra`
 * client certificates given as [file name, subject, extensions] (for certificates without a CN).
 */
export function makeTestCertificates(dir: string, clients: readonly string[], extra: ReadonlyArray<[string, string, string]> = []): void {
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=flexmoe-test-ca', '-keyout', 'ca.key', '-out', 'ca.crt');
  issue(dir, 'server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
  for (const cn of clients) issue(dir, cn, `/CN=${cn}`, 'extendedKeyUsage=clientAuth');
  for (const [name, subject, ext] of extra) issue(dir, name, subject, ext);
}
