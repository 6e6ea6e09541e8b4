// What every emulator's CLI does around its own start-up (test/emulators/{polaris,rest,glue}/cli.ts):
// the benchmarks run an emulator in its own process and wait for one JSON line on its stdout.

/** A started emulator: the line that says it is ready, and how it stops. */
export interface RunningEmulator {
  /** Printed as one JSON line on stdout once the emulator serves (its URLs and the like). */
  readonly ready: Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * Starts the emulator, prints its ready line, then serves until SIGTERM or SIGINT, when it closes and
 * exits (0, or 1 if closing failed). A failure to start is printed with the emulator's name, exit 1.
 */
export function runEmulatorCli(name: string, start: (config: unknown) => Promise<RunningEmulator>): void {
  const main = async (): Promise<void> => {
    const emulator = await start(JSON.parse(process.argv[2] ?? '{}'));
    process.stdout.write(`${JSON.stringify(emulator.ready)}\n`);
    const stop = (): void => {
      emulator.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  };
  main().catch((e: unknown) => {
    process.stderr.write(`${name}: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  });
}
