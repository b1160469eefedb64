/**
 * `flexmoe fleet`: a coordinator and N client daemons on this machine, as separate processes over
 * loopback gRPC. Composition root: parses options, previews the partition, binds Ctrl-C / SIGTERM
 * to a clean shutdown of every child, runs the fleet and writes the results.
 */
import * as path from 'node:path';
import { describeLocalRecipe, parseCommand } from '@flexmoe/shared';
import { FleetInterruptedError } from '../experiment/errors';
import { localRecipeOf, type DataShape, type FleetConfig } from '../experiment/fleet-config';
import { runFleet, summaryLine } from '../experiment/fleet-runner';
import { checkClassesPartition, FLEET_COMMAND, fleetConfig } from '../experiment/options';
import { previewPartition } from '../experiment/partition-preview';
import { writeResults } from '../experiment/report';

/**
 * First SIGINT/SIGTERM aborts the returned signal (the fleet stops its children gracefully); a
 * second exits at once, and the children are killed on the way out.
 */
export function bindInterrupt(print: (line: string) => void): { signal: AbortSignal; unbind: () => void } {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      print(`${sig} again: killing every child now`);
      process.exit(130);
    }
    print(`${sig}: stopping every process (again to force)`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    unbind: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/**
 * Runs `body` with Ctrl-C / SIGTERM bound to its abort signal: an interrupted fleet prints why and
 * exits 130; the signal handlers are removed whatever happens.
 */
export async function runInterruptible(print: (line: string) => void, body: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const { signal, unbind } = bindInterrupt(print);
  try {
    return await body(signal);
  } catch (err) {
    if (err instanceof FleetInterruptedError) {
      print(err.message);
      return 130;
    }
    throw err;
  } finally {
    unbind();
  }
}

/**
 * Prints the data, partition and model line, then the partition table (loads the data once);
 * returns the data's shape and class count for the coordinator's model.
 */
export async function announce(c: FleetConfig, print: (line: string) => void): Promise<DataShape> {
  print(
    `data ${c.data}, partition ${c.partition} over ${c.clients} clients (data seed ${c.dataSeed}` +
      `${c.maxSamples !== undefined ? `, at most ${c.maxSamples} train samples each` : ''}); ` +
      `${c.experts} experts, capacity ${c.capacity}, ${c.rounds} rounds, ${c.epochs} local epoch(s), batch ${c.batchSize}; local ${describeLocalRecipe(localRecipeOf(c))}`,
  );
  const preview = await previewPartition({ data: c.data, partition: c.partition, clients: c.clients, seed: c.dataSeed, maxSamples: c.maxSamples });
  checkClassesPartition(c.partition, preview.classes);
  print(preview.table);
  return { shape: preview.shape, classes: preview.classes };
}

/** Entry point of `flexmoe fleet`; resolves with the exit code. */
export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(FLEET_COMMAND, argv, process.env);
  if (parsed.help !== null) {
    console.log(parsed.help);
    return 0;
  }
  const o = parsed.options;
  const print = (line: string): void => console.log(line);
  const planned = fleetConfig(o, { strategy: o.strategy, seed: o.seed, dataSeed: o.dataSeed ?? o.seed, outDir: o.out });
  const config: FleetConfig = { ...planned, dataShape: await announce(planned, print) };
  print(`strategy ${config.strategy}, seed ${config.seed}; logs in ${path.join(config.outDir, 'logs')}`);
  return runInterruptible(print, async (signal) => {
    const outcome = await runFleet(config, { print, signal });
    print(summaryLine(outcome.run));
    const files = [path.join(config.outDir, 'results.json'), ...(o.json ? [path.resolve(o.json)] : [])];
    writeResults(files, { command: 'fleet', config: { ...config, localRecipe: localRecipeOf(config) }, runs: [outcome.run] });
    print(`results written to ${files.join(', ')}`);
    return 0;
  });
}
