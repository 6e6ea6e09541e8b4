// What the live scenario must show, against a real Polaris or the emulator alike.
import { expect } from 'vitest';
import type { LiveReport } from '../support/live-scenario.js';

export function expectLiveScenarioPassed(report: LiveReport): void {
  expect(report.firstSync.code, report.firstSync.stdout + report.firstSync.stderr).toBe(0);
  expect(report.afterFirst).toEqual(report.expectedFirst);
  expect(report.secondSync.code, report.secondSync.stdout + report.secondSync.stderr).toBe(0);
  expect(report.afterSecond).toEqual(report.expectedSecond);
  expect(report.cleanupProblems).toEqual([]);
}
