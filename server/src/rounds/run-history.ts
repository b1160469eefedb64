/**
 * The run history with bounded per-client detail. Every completed round is appended in full,
 * once, to `history.jsonl` in the data directory; in memory (and so in checkpoints and
 * /api/status) the per-client fields are kept only for the most recent rounds, older records keep
 * their aggregates (accuracy, loads, bytes, timings, solver, failures) and counts. The detail
 * kept scales down with the fleet: max(minDetailRounds, detailBudget / clients) rounds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RoundRecord } from './history';

/** File name of the full per-round records in the data directory (one JSON record a line). */
export const HISTORY_FILE = 'history.jsonl';

/** How much per-client detail stays in memory. */
export interface DetailBound {
  /** Rounds that always keep their detail. */
  readonly minDetailRounds: number;
  /** Client entries (participants summed over rounds) worth of detail kept beyond that. */
  readonly detailBudget: number;
}

/** Default bound: at least 10 rounds; 5,000 client-rounds (500 rounds of 10 clients, 10 of 1,000). */
export const DEFAULT_DETAIL_BOUND: DetailBound = { minDetailRounds: 10, detailBudget: 5000 };

/** Rounds of detail kept for a fleet of `clients`. */
export function detailRounds(clients: number, bound: DetailBound = DEFAULT_DETAIL_BOUND): number {
  return Math.max(bound.minDetailRounds, Math.floor(bound.detailBudget / Math.max(1, clients)));
}

/** The record without per-client detail (aggregates, failures and counts kept). */
export function trimDetail(r: RoundRecord): RoundRecord {
  if (!r.detail) return r;
  return { ...r, detail: false, participants: [], assignment: {}, reported: [], clientAccuracy: {} };
}

/** A record from an older checkpoint (without counts) brought to the current shape. */
export function normalizeRecord(r: RoundRecord): RoundRecord {
  const partial = r as Partial<RoundRecord> & RoundRecord;
  return {
    ...r,
    detail: partial.detail ?? true,
    participantCount: partial.participantCount ?? r.participants.length,
    reportedCount: partial.reportedCount ?? r.reported.length,
  };
}

/** In-memory history plus the append-only full record file. */
export class RunHistory {
  private readonly list: RoundRecord[];
  private readonly file: string;

  /**
   * `records` from the checkpoint; `fileBytes` is the size of history.jsonl that checkpoint
   * matches: lines appended after it (a round not checkpointed before a crash) are cut off.
   */
  constructor(
    dataDir: string,
    records: readonly RoundRecord[],
    fileBytes: number | undefined,
    private readonly bound = DEFAULT_DETAIL_BOUND,
  ) {
    this.file = path.join(dataDir, HISTORY_FILE);
    this.list = records.map(normalizeRecord);
    if (fileBytes !== undefined && fs.existsSync(this.file) && fs.statSync(this.file).size > fileBytes) {
      fs.truncateSync(this.file, fileBytes);
    }
    this.tornBytes = dropTornTail(this.file);
  }

  /** Bytes of a partial last line (a write cut short by a crash or a full disk) dropped on open. */
  readonly tornBytes: number;

  /**
   * Keeps the record, trims detail beyond the bound, then appends the full record to
   * history.jsonl (a failing disk loses the file line, never the in-memory round).
   */
  append(record: RoundRecord): void {
    this.list.push(record);
    const keep = detailRounds(record.participantCount, this.bound);
    for (let i = this.list.length - 1 - keep; i >= 0 && this.list[i]!.detail; i--) this.list[i] = trimDetail(this.list[i]!);
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    // A failed earlier append may have left half a line: the new record must start on its own.
    dropTornTail(this.file);
    fs.appendFileSync(this.file, JSON.stringify(record) + '\n');
  }

  /** Every round, oldest first (recent ones with detail). */
  records(): readonly RoundRecord[] {
    return this.list;
  }

  /** The newest record, if any. */
  last(): RoundRecord | undefined {
    return this.list[this.list.length - 1];
  }

  /** Current size of history.jsonl (0 when absent), stored in checkpoints. */
  fileBytes(): number {
    return fs.existsSync(this.file) ? fs.statSync(this.file).size : 0;
  }
}

/**
 * Cuts `file` back to its last complete line (ending in a newline); returns the bytes dropped.
 * A record is one line written by one append, so only the tail can be partial.
 */
export function dropTornTail(file: string): number {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return 0;
  }
  if (size === 0) return 0;
  const fd = fs.openSync(file, 'r');
  try {
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, size - 1);
    if (last[0] === 0x0a) return 0;
  } finally {
    fs.closeSync(fd);
  }
  const keep = fs.readFileSync(file).lastIndexOf(0x0a) + 1;
  fs.truncateSync(file, keep);
  return size - keep;
}

/** Reads every full record from `dataDir`'s history.jsonl (for tools and tests). */
export function readHistoryFile(dataDir: string): RoundRecord[] {
  const file = path.join(dataDir, HISTORY_FILE);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as RoundRecord);
}
