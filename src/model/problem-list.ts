/**
 * The problems found in one ingest body, kept up to a bound and counted beyond it. A 1 MiB body can
 * hold tens of thousands of bad fields; the answer names the first ones (by path) and how many more
 * there were, so collecting — and sorting — all of them would only cost time.
 */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

export const MAX_PROBLEMS_KEPT = 1000;

export class ProblemList {
  readonly kept: Problem[] = [];
  total = 0;

  constructor(private readonly limit = MAX_PROBLEMS_KEPT) {}

  push(problem: Problem): void {
    this.total++;
    if (this.kept.length < this.limit) this.kept.push(problem);
  }
}
