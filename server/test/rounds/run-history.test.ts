import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RoundRecord } from '../../src/rounds/history';
import { HISTORY_FILE, RunHistory, detailRounds, normalizeRecord, readHistoryFile } from '../../src/rounds/run-history';

function record(round: number, clients: number): RoundRecord {
  const ids = Array.from({ length: clients }, (_, c) => `c${c}`);
  return {
    round,
    attempt: 0,
    startedAtMs: round * 1000,
    seconds: 1,
    detail: true,
    participantCount: clients,
    reportedCount: clients - 1,
    participants: ids,
    assignment: Object.fromEntries(ids.map((id, c) => [id, [c % 4]])),
    reported: ids.slice(1),
    failures: [{ clientId: 'c0', reason: 'late' }],
    accuracy: round / 100,
    loss: 1,
    trainAccuracy: 0.5,
    trainLoss: 1,
    clientAccuracy: Object.fromEntries(ids.slice(1).map((id) => [id, 0.5])),
    load: [1, 2, 3, 4],
    routedLoad: [1, 1, 1, 1],
    loadCv: 0.4,
    loadMaxMean: 1.6,
    routedLoadCv: 0,
    routedLoadMaxMean: 1,
    bytesDown: 10,
    bytesUp: 20,
    timings: { solve: 0.1, collect: 0.5, aggregate: 0.01, trainMean: 0.3 },
    solver: { name: 'lp', status: 'optimal', objective: 1, upperBound: 1, gap: 0, violation: 0, timedOut: false },
  };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'flexmoe-history-'));
const bound = { minDetailRounds: 3, detailBudget: 40 };

test('detail is kept for max(min rounds, budget / clients) rounds', () => {
  assert.equal(detailRounds(10, bound), 4);
  assert.equal(detailRounds(1000, bound), 3);
  assert.equal(detailRounds(1000), 10);
  assert.equal(detailRounds(10), 500);
});

test('older rounds lose per-client detail in memory but keep aggregates; history.jsonl has every full record', () => {
  const dir = tmp();
  const h = new RunHistory(dir, [], 0, bound);
  for (let r = 1; r <= 12; r++) h.append(record(r, 10));
  const kept = h.records();
  assert.deepEqual(
    kept.map((r) => r.round),
    [...Array(12).keys()].map((i) => i + 1),
  );
  assert.deepEqual(
    kept.map((r) => r.detail),
    [...Array(8).fill(false), ...Array(4).fill(true)],
  );
  const old = kept[0]!;
  assert.deepEqual([old.participants, old.reported, old.assignment, old.clientAccuracy], [[], [], {}, {}]);
  assert.deepEqual([old.participantCount, old.reportedCount, old.failures.length, old.accuracy, old.load], [10, 9, 1, 0.01, [1, 2, 3, 4]]);
  assert.deepEqual(kept[11], record(12, 10));
  assert.deepEqual(
    readHistoryFile(dir),
    [...Array(12).keys()].map((i) => record(i + 1, 10)),
  );
});

test('a restart cuts history.jsonl back to its checkpoint; a fresh run starts it empty', () => {
  const dir = tmp();
  const h = new RunHistory(dir, [], 0, bound);
  h.append(record(1, 5));
  h.append(record(2, 5));
  const atCheckpoint = h.fileBytes();
  h.append(record(3, 5)); // completed but not checkpointed before a crash
  fs.appendFileSync(path.join(dir, HISTORY_FILE), '{"round":4,"trunc');
  const resumed = new RunHistory(dir, h.records().slice(0, 2), atCheckpoint, bound);
  assert.deepEqual(
    readHistoryFile(dir).map((r) => r.round),
    [1, 2],
  );
  resumed.append(record(3, 5));
  assert.deepEqual(
    readHistoryFile(dir).map((r) => r.round),
    [1, 2, 3],
  );
  new RunHistory(dir, [], 0, bound);
  assert.deepEqual(readHistoryFile(dir), []);
});

test('records of older checkpoints (no counts) are normalised', () => {
  const { detail: _d, participantCount: _p, reportedCount: _r, ...legacy } = record(1, 6);
  const n = normalizeRecord(legacy as RoundRecord);
  assert.deepEqual([n.detail, n.participantCount, n.reportedCount], [true, 6, 5]);
});

test('a partial last line of history.jsonl is dropped on open and before the next append', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flexmoe-history-'));
  const h = new RunHistory(dir, [], undefined);
  h.append(record(1, 3));
  const file = path.join(dir, HISTORY_FILE);
  fs.appendFileSync(file, '{"round":2,"attem'); // a write cut short
  const reopened = new RunHistory(dir, [record(1, 3)], undefined);
  assert.equal(reopened.tornBytes, '{"round":2,"attem'.length);
  reopened.append(record(2, 3));
  fs.appendFileSync(file, '{"round":3'); // cut short again, in the same process
  reopened.append(record(3, 3));
  assert.deepEqual(
    readHistoryFile(dir).map((r) => r.round),
    [1, 2, 3],
    'every line parses; no record glued to a partial one',
  );
});
