// The daemon's model.onnx (Trainer.exportInference) reaches the disk before it replaces the old
// file: observed on the real kernel with strace, since a missing fsync only shows at power loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const hasStrace = spawnSync('strace', ['-V']).status === 0;

/** The script the traced process runs: a real Trainer exporting a model to `file`. */
function exportScript(file: string): string {
  const dist = path.join(__dirname, '..', 'src');
  return `
    const { Trainer } = require(${JSON.stringify(path.join(dist, 'training', 'trainer.js'))});
    const { defaultModelConfig, initParameters, selectAssigned } = require(${JSON.stringify(require.resolve('@flexmoe/shared'))});
    (async () => {
      const model = defaultModelConfig({ experts: 4, featureDim: 8, expertHidden: 4 });
      const trainer = await Trainer.create({ model, worker: false });
      await trainer.exportInference({ params: selectAssigned(initParameters(model, 1), [0, 2]), assigned: [0, 2], file: ${JSON.stringify(file)} });
      await trainer.close();
    })().catch((err) => { console.error(err); process.exit(1); });`;
}

test(
  'exportInference fsyncs the model before renaming it over model.onnx, then fsyncs the directory',
  { skip: !hasStrace && !process.env.FLEXMOE_REQUIRE_TOOLS && 'strace is not installed (apt-get install strace)' },
  () => {
    // CI sets FLEXMOE_REQUIRE_TOOLS: there a missing strace fails instead of skipping.
    assert.ok(hasStrace, 'strace is not installed (apt-get install strace), and CI requires it');
    const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-export-durable-'));
    try {
      const file = path.join(dir, 'model.onnx');
      const trace = path.join(dir, 'trace.txt');
      const r = spawnSync(
        'strace',
        ['-f', '-qq', '-e', 'trace=openat,fsync,fdatasync,rename,renameat,renameat2', '-o', trace, process.execPath, '-e', exportScript(file)],
        {
          encoding: 'utf8',
        },
      );
      assert.equal(r.status, 0, r.stderr);
      const lines = readFileSync(trace, 'utf8').split('\n');
      // openat(...) = fd for the temp file and the directory; fsync(fd); rename(temp, model.onnx).
      const fdOf = (pred: (p: string) => boolean): string[] =>
        lines.flatMap((l) => {
          const m = /openat\([^"]*"([^"]+)"[^)]*\)\s+=\s+(\d+)/.exec(l);
          return m && pred(m[1]!) ? [m[2]!] : [];
        });
      const renameAt = lines.findIndex((l) => /rename(at2?)?\(.*"[^"]*\.tmp".*"[^"]*model\.onnx"/.test(l));
      assert.ok(renameAt >= 0, 'the model is renamed into place from a temp file');
      const tempFds = fdOf((p) => p.startsWith(path.join(dir, '.model.onnx.')) && p.endsWith('.tmp'));
      const syncedBefore = lines.slice(0, renameAt).some((l) => tempFds.some((fd) => new RegExp(`f(data)?sync\\(${fd}\\)\\s+= 0`).test(l)));
      assert.ok(syncedBefore, 'the temp file is fsynced before the rename');
      const dirFds = fdOf((p) => p === dir);
      const dirSynced = lines.slice(renameAt).some((l) => dirFds.some((fd) => new RegExp(`fsync\\(${fd}\\)\\s+= 0`).test(l)));
      assert.ok(dirSynced, 'the directory is fsynced after the rename');
      assert.deepEqual(
        readdirSync(dir).filter((f) => f.endsWith('.tmp')),
        [],
        'no temp file is left',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
