/** The CLI's exit codes (a contract: scripts and CI jobs branch on them). */
export const EXIT = {
  /** Everything converged / passed. */
  OK: 0,
  /** Some tables failed, a check failed, or the work could not finish. */
  FAILED: 1,
  /** Bad configuration or command line. */
  BAD_CONFIG: 2,
} as const;
