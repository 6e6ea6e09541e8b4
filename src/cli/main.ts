import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../config/config-error.js';
import { UsageError } from '../engine/mirror.js';
import { scrubProcessSecrets } from '../telemetry/redactor.js';
import { neutraliseControls } from '../telemetry/safe-text.js';
import { messageOf, MirrorError } from '../util/errors.js';
import { packageVersion } from '../util/package-info.js';
import { checkCommand } from './commands/check.js';
import { demoCommand } from './commands/demo.js';
import { planCommand } from './commands/plan.js';
import { refreshCommand } from './commands/refresh.js';
import { resetOrderCommand } from './commands/reset-order.js';
import { retryCommand } from './commands/retry.js';
import { runCommand } from './commands/run.js';
import { statusCommand } from './commands/status.js';
import { syncCommand } from './commands/sync.js';
import { EXIT } from './exit-codes.js';
import { LeaseRefused } from './lease.js';

const configOption = () =>
  new Option('-c, --config <file>', 'configuration file (YAML or JSON)')
    .env('POLARIS_MIRROR_CONFIG')
    .default('polaris-mirror.yaml');

/** Runs a command and turns its result or error into an exit code; errors go to stderr, scrubbed. */
function action<T>(command: (options: T) => Promise<number>) {
  return async (options: T) => {
    process.exitCode = await command(options).catch(reportError);
  };
}

function reportError(error: unknown): number {
  // Every secret this process knows (the config's, issued tokens), whichever command registered it; and
  // no control character of a remote message may act on the terminal.
  const scrub = (text: string) => neutraliseControls(scrubProcessSecrets(text), { keepLineBreaks: true });
  if (error instanceof ConfigError) {
    process.stderr.write(`${scrub(error.message)}\n`);
    return EXIT.BAD_CONFIG;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${scrub(error.message)}\n`);
    return EXIT.BAD_CONFIG;
  }
  if (error instanceof LeaseRefused) {
    process.stderr.write(`error: ${scrub(error.message)}\n`);
    return EXIT.FAILED;
  }
  process.stderr.write(`error: ${scrub(messageOf(error))}\n`);
  if (error instanceof MirrorError && error.hint) process.stderr.write(`  hint: ${scrub(error.hint)}\n`);
  if (process.env.POLARIS_MIRROR_DEBUG) process.stderr.write(`${scrub((error as Error).stack ?? '')}\n`);
  return EXIT.FAILED;
}

export function buildProgram(): Command {
  const program = new Command('polaris-mirror')
    .description('Mirror Iceberg tables from external catalogs into Apache Polaris through its table Notification API.')
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride();

  program
    .command('run')
    .description('run as a daemon: watch every source, reconcile periodically, serve ingest, /metrics, /healthz, /readyz')
    .addOption(configOption())
    .action(action(runCommand));

  program
    .command('sync')
    .description('one reconciliation pass, then send until every table is applied or failed (exit 0 converged, 1 not)')
    .addOption(configOption())
    .option('-s, --source <name...>', 'only these sources')
    .option('--allow-mass-drop', 'drop even when more than maxDropFraction of a source would go')
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'no progress output on stderr')
    .option('--progress-interval <seconds>', 'seconds between progress lines when stderr is not a terminal', '5')
    .option('--rebuild', 'move a damaged or lost ledger aside and re-derive it from the sources and Polaris')
    .action(action(syncCommand));

  program
    .command('plan')
    .description('show what sync would do, with VALIDATE answers for creates; changes nothing')
    .addOption(configOption())
    .option('-s, --source <name...>', 'only these sources')
    .option('--allow-mass-drop', 'plan drops even past the mass-drop brake')
    .option('--json', 'print the plan as JSON')
    .action(action(planCommand));

  program
    .command('status')
    .description('per source: tables total / in sync / pending / failed, cursor, last pass, failures with hints')
    .addOption(configOption())
    .option('--json', 'print as JSON')
    .action(action(statusCommand));

  program
    .command('check')
    .description('check config, Polaris token, catalogs (VALIDATE) and sources, with a hint for each failure')
    .addOption(configOption())
    .option('--json', 'print as JSON')
    .action(action(checkCommand));

  program
    .command('retry')
    .description('re-drive failed tables now and report each result')
    .addOption(configOption())
    .option('-t, --table <name>', 'one table: "namespace.table" as the source names it, or "catalog.namespace.table"')
    .option('--all-failed', 'every failed table')
    .option('-s, --source <name>', 'only tables of this source')
    .option('--target <polaris/catalog>', 'only tables of this target, e.g. dr/lake_mirror (a bare catalog is on the default Polaris); alone: its failed tables')
    .action(action(retryCommand));

  program
    .command('refresh')
    .description('re-read a source, namespace or table from the source now and converge it (through the running daemon, or by itself)')
    .addOption(configOption())
    .requiredOption('-s, --source <name>', 'the source')
    .option('-n, --namespace <levels>', 'only this namespace: its levels joined by "." (e.g. sales.eu)')
    .option('-t, --table <name>', 'only this table of the namespace')
    .option('--json', 'print the report as JSON')
    .action(action(refreshCommand));

  program
    .command('reset-order')
    .description("set a table's stored order back to now, so changes are no longer ignored as stale after a source time from the future")
    .addOption(configOption())
    .option('-t, --table <name>', 'the table: "namespace.table" as the source names it, or "catalog.namespace.table"')
    .option('-s, --source <name>', 'only the table of this source')
    .action(action(resetOrderCommand));

  program
    .command('demo')
    .description('mirror a sample warehouse into a local Polaris emulator, change it, and show the result')
    .option('--keep', 'keep the temporary directory')
    .action(action(demoCommand));

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? EXIT.OK : EXIT.BAD_CONFIG;
      return;
    }
    process.exitCode = reportError(error);
  }
}

await main(process.argv);
