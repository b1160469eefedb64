/**
 * `flexmoe solve --instance FILE [--json OUT] [--solver ...] [--time-limit S] [--seed N]`: one
 * assignment problem, solved and explained (debugging, benchmarks).
 *
 * Instance JSON: {"q": number[C][E], "samples": number[C], "capacity": number[C],
 * "lower"?: number[E], "upper"?: number[E], "delta"?: number} (explicit bounds win).
 * Output JSON: {"assignment", "objective", "upperBound", "gap", "status", "solver", "seconds",
 * "cpuSeconds", "load", "violation"} plus "lower", "upper", "notes", "timedOut", "infeasibility".
 * Apart from the two timings, the answer depends only on the instance and seed, however busy the
 * machine is, unless the time limit (a far safety net) fires: then status is "timeout" and a
 * warning goes to stderr.
 */
import { promises as fs } from 'node:fs';
import { FileFormatError, FlexMoEError, parseCommand, type CommandSpec } from '@flexmoe/shared';
import { validateProblem } from '../assignment/instance';
import { solveAssignment } from '../assignment/solve';
import type { AssignmentProblem, AssignmentResult, SolverChoice } from '../assignment/types';

const SPEC = {
  name: 'solve',
  summary: 'Solves one expert-assignment problem and explains the answer.',
  options: {
    instance: { type: 'string', arg: 'FILE', required: true, help: 'instance JSON {"q","samples","capacity","lower"?,"upper"?,"delta"?}' },
    json: { type: 'string', arg: 'OUT', help: 'write the answer as JSON to OUT' },
    solver: { type: 'string', default: 'auto', choices: ['auto', 'glpk', 'heuristic', 'greedy', 'random'], help: 'solver path' },
    timeLimit: {
      type: 'number',
      default: 30,
      min: 0.000001,
      arg: 'SECONDS',
      help: 'wall-clock safety net of the solve (the search itself is bounded by counted work)',
    },
    seed: { type: 'integer', default: 0, help: 'seed of the tie-breaking jitter and random baseline' },
  },
} as const satisfies CommandSpec;

/** Parsed instance file. */
interface InstanceFile {
  problem: AssignmentProblem;
  delta?: number;
}

/** Reads and validates an instance file; errors name the file and the field. */
export async function readInstance(file: string, seed = 0): Promise<InstanceFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    throw new FileFormatError(`${file}: cannot read instance JSON: ${(err as Error).message}`, { cause: err });
  }
  const bad = (msg: string): never => {
    throw new FileFormatError(`${file}: ${msg}`);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) bad('expected a JSON object');
  const j = raw as Record<string, unknown>;
  const arrayField = (name: string): unknown[] => (Array.isArray(j[name]) ? (j[name] as unknown[]) : bad(`field "${name}" must be an array`));
  const q = arrayField('q');
  const samples = arrayField('samples');
  const capacity = arrayField('capacity');
  if (q.length === 0) bad('field "q" must have at least one row');
  if (!Array.isArray(q[0])) bad('field "q" must be an array of rows (q[0] is not an array)');
  if (samples.length !== q.length) bad(`field "samples" has ${samples.length} entries but "q" has ${q.length} rows`);
  if (capacity.length !== q.length) bad(`field "capacity" has ${capacity.length} entries but "q" has ${q.length} rows`);
  if (j.delta !== undefined && (typeof j.delta !== 'number' || !(j.delta >= 0))) bad('field "delta" must be a number >= 0');
  const problem: AssignmentProblem = {
    clients: q.map((_, c) => ({ id: `c${c}`, samples: samples[c] as number, capacity: capacity[c] as number })),
    experts: (q[0] as unknown[]).length,
    q: q as number[][],
    round: 0,
    seed,
    lower: j.lower as number[] | undefined,
    upper: j.upper as number[] | undefined,
  };
  try {
    validateProblem(problem);
  } catch (err) {
    throw new FileFormatError(`${file}: ${(err as Error).message.replace('assignment problem: ', 'field ')}`, { cause: err });
  }
  return { problem, delta: j.delta as number | undefined };
}

/** The answer as the output JSON of `--json`. */
export function answerJSON(r: AssignmentResult): Record<string, unknown> {
  const { assignment, objective, upperBound, gap, status, solver, seconds, cpuSeconds, load, violation, lower, upper, notes, timedOut, infeasibility } = r;
  return { assignment, objective, upperBound, gap, status, solver, seconds, cpuSeconds, load, violation, lower, upper, notes, timedOut, infeasibility };
}

/** Short human explanation: status, objective, bound, gap, each expert's load against its bounds. */
export function explain(r: AssignmentResult): string {
  const lines = [
    `status ${r.status} via ${r.solver} in ${r.seconds.toFixed(3)} s (${r.cpuSeconds.toFixed(3)} CPU s)${r.notes.length ? ` (${r.notes.join('; ')})` : ''}`,
    `objective ${r.objective.toFixed(6)}  upper bound ${r.upperBound.toFixed(6)}  gap ${(100 * r.gap).toFixed(3)}%`,
    `violation ${r.violation.toFixed(2)} samples${r.violation > 0 ? ` (${r.infeasibility ? `bounds cannot all hold: ${r.infeasibility}` : 'bounds not reached, infeasibility not proved'})` : ''}`,
    'expert      load     lower     upper',
  ];
  r.load.forEach((l, e) => {
    const flag = l > r.upper[e] + 1e-9 ? '  over' : l < r.lower[e] - 1e-9 ? '  under' : '';
    lines.push(`${String(e).padStart(6)}${fmt(l)}${fmt(r.lower[e])}${fmt(r.upper[e])}${flag}`);
  });
  return lines.join('\n');
}

function fmt(x: number): string {
  return (Number.isInteger(x) ? String(x) : x.toFixed(1)).padStart(10);
}

/** Entry point of `flexmoe solve`; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, argv, process.env);
  if (parsed.help !== null) {
    console.log(parsed.help);
    return 0;
  }
  const o = parsed.options;
  try {
    const { problem, delta } = await readInstance(o.instance, o.seed);
    const result = await solveAssignment(problem, { solver: o.solver as SolverChoice, timeLimitSeconds: o.timeLimit, delta });
    if (o.json) await fs.writeFile(o.json, `${JSON.stringify(answerJSON(result))}\n`);
    if (result.timedOut) console.error(`flexmoe solve: warning: the ${o.timeLimit} s time limit fired; the answer depends on timing`);
    console.log(explain(result));
    return 0;
  } catch (err) {
    if (!(err instanceof FlexMoEError)) throw err;
    console.error(`flexmoe solve: ${err.message}`);
    return 2;
  }
}
