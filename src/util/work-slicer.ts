/**
 * Cooperative slicing of CPU-bound work on the event loop: the caller counts the work it has done
 * (events parsed, messages inflated) and every `budget` units the slicer yields with setImmediate, so
 * timers and other requests (/healthz, the dispatcher's answers) run in between. Counted in units of
 * work rather than milliseconds: the slices do not depend on how busy the machine is.
 */
export class WorkSlicer {
  private spent = 0;
  /** Times it has yielded (tests check that large work is sliced). */
  yields = 0;

  constructor(private readonly budget: number) {}

  /** Counts `units` of work done; yields to the event loop once the budget is used up. */
  async spend(units = 1): Promise<void> {
    this.spent += units;
    if (this.spent < this.budget) return;
    this.spent = 0;
    this.yields++;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
