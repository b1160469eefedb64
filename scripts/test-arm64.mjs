// `npm run test:arm64`: the arm64 path checked under qemu-user emulation on an x86-64 Linux host,
// with no system-wide change (see scripts/arm64/toolchain.mjs for what is fetched and where).
//   1. the toolchain (cached between runs) and onnxruntime-node's shipped linux/arm64 binding;
//   2. the ONNX and training test files run by the arm64 node under `qemu-aarch64 -cpu cortex-a72`;
//   3. an x86 coordinator with two arm64 daemons for three rounds (client/test/arm64-fleet.check.ts).
// One line per check; exits 1 if any check fails. Nothing is skipped: a missing tool is a failure.
// `npm run test:arm64 -- <substring>` runs only the emulated test files matching it (and the fleet
// check only if it matches too).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { defaultCacheDir, ensureToolchain } from './arm64/toolchain.mjs';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv.slice(2);

/**
 * The emulated test files. Chosen to exercise what can differ on arm64 (ONNX Runtime's arm64
 * kernels and the training graphs the project emits, worker-thread training, export and reload)
 * within a few minutes: each is 10-70 times slower emulated. Left out: pure-JS logic that does not
 * touch ONNX Runtime (solver, protocol, data parsing) and tests that spawn child processes, which
 * an emulated node cannot exec without a system-wide binfmt_misc handler (train-cli).
 */
const EMULATED_TESTS = [
  'ml/dist/test/onnx/builder.test.js',
  'ml/dist/test/onnx/conv.test.js',
  'ml/dist/test/onnx/gradients.test.js',
  'ml/dist/test/onnx/helpers.test.js',
  'ml/dist/test/onnx/nchwc.test.js',
  'ml/dist/test/train-gradients.test.js',
  'ml/dist/test/train-stats.system.test.js',
  'ml/dist/test/train-errors.system.test.js',
  'ml/dist/test/train-learning.system.test.js',
];
const FLEET_CHECK = 'client/dist/test/arm64-fleet.check.js';
const EM_ARM64 = 183; // ELF e_machine of AArch64
const JOBS = Math.max(1, Math.min(2, availableParallelism()));
/** The device floor docs/operations.md states (JetPack 5 = Ubuntu 20.04 has 2.31; JetPack 4 has 2.27). */
const GLIBC_FLOOR_MINOR = 28;
/** Per emulated process; the slowest file took 3.6 min at a load average of 50 on 2 cores. */
const TIMEOUT_MS = 20 * 60_000;

const results = [];
function report(ok, what, detail = '') {
  results.push(ok);
  console.log(`${ok ? 'ok  ' : 'FAIL'} arm64 ${what}${detail ? `: ${detail}` : ''}`);
}
const seconds = (t0) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

/**
 * Runs a command, resolving with its exit code and combined output. A hung emulated process is
 * killed after `timeoutMs` so that CI fails instead of waiting forever.
 */
function runCapture(cmd, args, env = {}, timeoutMs = TIMEOUT_MS) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => {
      out += `\nkilled after ${timeoutMs / 1000} s`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', (err) => resolve({ code: -1, out: `${out}\n${err.message}` }));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? `signal ${signal}`, out });
    });
  });
}

function hostCheck() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`emulates arm64 on x86-64 Linux, not ${process.platform}/${process.arch} (on an arm64 host run \`npm test\`)`);
  }
}

/** onnxruntime-node ships prebuilt linux/arm64 libraries in its npm package; confirm ours has them. */
function checkBinding() {
  const base = path.join(root, 'node_modules', 'onnxruntime-node', 'bin');
  const napi = existsSync(base) ? readdirSync(base).filter((d) => d.startsWith('napi-v')) : [];
  const file = napi.map((d) => path.join(base, d, 'linux', 'arm64', 'onnxruntime_binding.node')).find(existsSync);
  if (!file) throw new Error(`no ${base}/napi-v*/linux/arm64/onnxruntime_binding.node (run npm ci)`);
  const machine = readFileSync(file).readUInt16LE(18);
  if (machine !== EM_ARM64) throw new Error(`${file} is ELF machine ${machine}, not AArch64`);
  return path.relative(root, file);
}

/**
 * The newest glibc symbol version an ELF file asks for (its GLIBC_2.x version-need strings), so an
 * upgrade of Node or ONNX Runtime that raises the device floor fails here instead of on a device.
 */
function glibcNeeded(file) {
  const text = readFileSync(file).toString('latin1');
  return Math.max(...[...text.matchAll(/GLIBC_2\.(\d+)/g)].map((m) => Number(m[1])));
}

function checkGlibcFloor(nodeBinary, binding) {
  const files = [nodeBinary, ...readdirSync(path.dirname(binding)).map((f) => path.join(path.dirname(binding), f))];
  const needs = files.map((f) => ({ file: path.basename(f), minor: glibcNeeded(f) }));
  const ok = needs.every((n) => n.minor <= GLIBC_FLOOR_MINOR);
  report(ok, `glibc floor 2.${GLIBC_FLOOR_MINOR}`, needs.map((n) => `${n.file} needs 2.${n.minor}`).join(', '));
}

function tally(out) {
  const n = (key) => Number(new RegExp(`^# ${key} (\\d+)`, 'm').exec(out)?.[1] ?? NaN);
  return { pass: n('pass'), fail: n('fail'), skipped: n('skipped') };
}

async function emulatedTest(launcher, file) {
  const t0 = performance.now();
  if (!existsSync(path.join(root, file))) return report(false, file, 'not built or renamed (update EMULATED_TESTS)');
  const { code, out } = await runCapture(launcher[0], [...launcher.slice(1), file]);
  const t = tally(out);
  const ok = code === 0 && t.pass > 0 && t.fail === 0 && t.skipped === 0;
  report(ok, file, `${t.pass} passed, ${t.fail} failed, ${t.skipped} skipped (${seconds(t0)})`);
  if (!ok) console.log(out.slice(-4000));
}

async function fleetCheck(launcher) {
  const t0 = performance.now();
  const { code, out } = await runCapture(process.execPath, ['--test', '--test-reporter=tap', FLEET_CHECK], { FLEXMOE_ARM64_LAUNCHER: JSON.stringify(launcher) });
  const t = tally(out);
  const ok = code === 0 && t.pass === 1;
  for (const line of out.split('\n').filter((l) => /^# arm\d: /.test(l))) console.log(`     ${line.slice(2)}`);
  report(ok, 'x86 coordinator + 2 arm64 daemons, 3 rounds', `${ok ? 'completed above the accuracy floor' : 'failed'} (${seconds(t0)})`);
  if (!ok) console.log(out.slice(-6000));
}

async function main() {
  const start = performance.now();
  hostCheck();
  const cache = defaultCacheDir();
  let tc;
  try {
    tc = ensureToolchain(cache, (msg) => console.log(`     ${msg}`));
    report(true, 'toolchain', `${tc.cached ? 'cached' : 'downloaded'} in ${cache} (${seconds(start)})`);
  } catch (err) {
    report(false, 'toolchain', err.message);
    return;
  }
  let binding;
  try {
    binding = checkBinding();
    report(true, 'onnxruntime-node binding', binding);
  } catch (err) {
    return report(false, 'onnxruntime-node binding', err.message);
  }
  checkGlibcFloor(tc.node, path.join(root, binding));
  const launcher = [tc.qemu, '-cpu', 'cortex-a72', '-L', tc.sysroot, tc.node];
  const probe = await runCapture(launcher[0], [...launcher.slice(1), '-p', 'process.arch + " " + process.version']);
  const probeOk = probe.code === 0 && probe.out.startsWith('arm64 ');
  report(probeOk, 'node under qemu-aarch64 -cpu cortex-a72', probe.out.trim());
  if (!probeOk) return;
  // The Fashion-MNIST binary cache is built by the host's node: parsing 150 MB of JSON emulated
  // would take minutes. The emulated tests then read the same cache file.
  const warm = await runCapture(process.execPath, ['-e', "require('@flexmoe/ml/data').loadDataSpec('fashion-mnist').then(() => {})"]);
  report(warm.code === 0, 'Fashion-MNIST cache (built on the host)', warm.code === 0 ? '' : warm.out.slice(-2000));

  // Two files at a time: an emulated node keeps about one core busy, and CI has two.
  const queue = EMULATED_TESTS.filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)));
  const fleet = filter.length === 0 || filter.some((s) => FLEET_CHECK.includes(s));
  if (queue.length === 0 && !fleet) return report(false, `filter ${filter.join(' ')}`, 'matches no check');
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) await emulatedTest(launcher, file);
  };
  await Promise.all(Array.from({ length: Math.min(JOBS, queue.length) }, worker));
  if (fleet) await fleetCheck(launcher);
}

const started = performance.now();
main().then(
  () => {
    console.log(`arm64: ${results.filter(Boolean).length} of ${results.length} checks passed in ${seconds(started)}`);
    process.exit(results.length > 0 && results.every(Boolean) ? 0 : 1);
  },
  (err) => {
    console.log(`FAIL arm64: ${err.message}`);
    process.exit(1);
  },
);
