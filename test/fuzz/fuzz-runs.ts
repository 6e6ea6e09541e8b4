/** Cases per fuzz target: FUZZ_RUNS (npm run chaos sets 10,000); a few hundred inside npm test. */
export function fuzzRuns(defaultRuns = 300): number {
  const fromEnv = Number(process.env.FUZZ_RUNS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : defaultRuns;
}

/** Strings that stress identifiers and parsers: unicode, control characters, separators, long runs. */
export const NASTY_STRINGS = ['', ' ', '\u001f', '\u0000', 'a\u001fb', '%', '%2F', '/', '.', '#', '?', '..', '%2e%2e', 'ünïcödé', '😀', '\ud800', '\u001b[2J\u009b1A', '\u202e', 'x'.repeat(10_000)];
