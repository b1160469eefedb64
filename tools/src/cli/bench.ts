/**
 * `flexmoe bench`: runs the benchmark suites, prints one table and optionally writes the rows as
 * JSON (`{"rows": BenchRow[]}`).
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '@flexmoe/shared';
import type { BenchRow } from '../bench/rows';
import { ConfigError, createLogger, parseCommand, type CommandSpec, type Logger } from '@flexmoe/shared';
import { loadSuite, SUITE_NAMES, type SuiteName } from '../bench/suites';
import { formatTable } from '../bench/table';
import { TRAIN_LEGEND } from '../bench/train/legend';

const SPEC = {
  name: 'bench',
  summary: 'Runs the benchmark suites and prints one table (ratios are ours / baseline, measured in the same run).',
  options: {
    suite: { type: 'string', default: 'all', choices: [...SUITE_NAMES, 'all'], help: 'suite to run' },
    json: { type: 'string', arg: 'FILE', help: 'also write {"rows": [...]} to FILE' },
    quick: { type: 'boolean', default: false, help: 'few iterations: a smoke test, figures indicative only' },
    logLevel: { type: 'string', default: 'info', choices: ['silent', 'error', 'warn', 'info', 'debug'], help: 'log level (logs go to stderr)' },
  },
} as const satisfies CommandSpec;

/** Outcome of running the selected suites. */
export interface BenchOutcome {
  rows: BenchRow[];
  /** Suites skipped (module absent) with the reason. */
  skipped: string[];
  /** Suites that threw, with the error message. */
  failed: string[];
}

/** Runs `suites` one after another; a missing or failing suite never stops the others. */
export async function runSuites(suites: readonly SuiteName[], quick: boolean, logger: Logger): Promise<BenchOutcome> {
  const out: BenchOutcome = { rows: [], skipped: [], failed: [] };
  for (const name of suites) {
    try {
      const suite = loadSuite(name);
      if ('skipped' in suite) {
        logger.warn({ suite: name, reason: suite.skipped }, 'suite skipped');
        out.skipped.push(suite.skipped);
        continue;
      }
      logger.info({ suite: name, quick }, 'suite started');
      const rows = await suite.run({ quick, logger: logger.child({ suite: name }) });
      out.rows.push(...rows);
      logger.info({ suite: name, rows: rows.length }, 'suite finished');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      logger.error({ suite: name, err }, 'suite failed');
      out.failed.push(`suite '${name}' failed: ${message}`);
    }
  }
  return out;
}

/** Fails before a long run when the report could not be written anyway. */
async function checkJsonTarget(file: string): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  try {
    await fs.access(dir, fsConstants.W_OK);
  } catch (err) {
    throw new ConfigError(`--json ${file}: directory ${dir} does not exist or is not writable`, { cause: err });
  }
}

/** Writes the JSON report atomically (writeFileAtomic). */
async function writeJson(file: string, outcome: BenchOutcome): Promise<void> {
  await writeFileAtomic(file, JSON.stringify({ rows: outcome.rows, skipped: outcome.skipped, failed: outcome.failed }, null, 2) + '\n');
}

/** Entry point of `flexmoe bench`; returns the exit code (1 when a suite failed). */
export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, argv, process.env);
  if (parsed.help !== null) {
    console.log(parsed.help);
    return 0;
  }
  const opts = parsed.options;
  const logger = createLogger({ level: opts.logLevel, name: 'flexmoe-bench' });
  if (opts.json) await checkJsonTarget(opts.json);
  const suites = opts.suite === 'all' ? SUITE_NAMES : [opts.suite as SuiteName];
  const outcome = await runSuites(suites, opts.quick, logger);
  if (outcome.rows.length > 0) console.log(formatTable(outcome.rows));
  if (outcome.rows.some((r) => r.suite === 'train')) console.log(`note: ${TRAIN_LEGEND}`);
  const rowNotes = new Set(outcome.rows.map((r) => r.note).filter((n): n is string => typeof n === 'string'));
  for (const note of rowNotes) console.log(`note: ${note}`);
  for (const note of [...outcome.skipped, ...outcome.failed]) console.log(`note: ${note}`);
  if (opts.quick) console.log('note: --quick run: few iterations, figures are indicative only');
  if (opts.json) await writeJson(opts.json, outcome);
  return outcome.failed.length > 0 ? 1 : 0;
}
