// What an iterative planner leaves behind for the report: one trajectory per search it ran. NetAdapt records
// one point per iteration (the candidate it accepted and, optionally, those it rejected), AMC and random
// search one point per episode/sample with its reward. The planners fill this (camelCase, as activity inputs
// are); the report stores it in snake_case like the rest of report.json and draws one chart per trajectory.
//
// Planners import it as a type only (`import type { SearchTrajectory } from '../report/search-trajectory'`),
// so planning does not depend on the report at run time.

import { z } from 'zod';

export const SEARCH_KINDS = ['netadapt', 'amc', 'random', 'mixed'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export interface SearchPoint {
  /** Iteration (NetAdapt), episode (AMC) or sample index (random search), from 0 or 1. */
  step: number;
  /** Measured latency of the candidate, ms (median, batch 1). */
  latencyMs?: number;
  /** NetAdapt: what its latency table predicted for the candidate, ms. */
  predictedLatencyMs?: number;
  flops?: number;
  params?: number;
  /** On whatever split the search evaluated on (usually a calibration subset). */
  map50_95?: number;
  reward?: number;
  /** NetAdapt: the candidate kept for the next iteration; AMC/random: a new best. */
  accepted?: boolean;
  /** Short note, e.g. the unit NetAdapt cut in this iteration. */
  label?: string;
}

export interface SearchTrajectory {
  kind: SearchKind;
  points: SearchPoint[];
}

const finite = z.number().finite();
const nonnegative = finite.nonnegative();

/** Validates what a planner hands over (activity input). */
export const SearchTrajectorySchema = z.object({
  kind: z.enum(SEARCH_KINDS),
  points: z
    .array(
      z.object({
        step: finite,
        latencyMs: nonnegative.optional(),
        predictedLatencyMs: nonnegative.optional(),
        flops: nonnegative.optional(),
        params: nonnegative.optional(),
        map50_95: finite.optional(),
        reward: finite.optional(),
        accepted: z.boolean().optional(),
        label: z.string().max(200).optional(),
      }),
    )
    .max(10_000),
});

/** The same in report.json. */
export const ReportSearchSchema = z.object({
  kind: z.enum(SEARCH_KINDS),
  points: z.array(
    z.object({
      step: finite,
      latency_ms: nonnegative.optional(),
      predicted_latency_ms: nonnegative.optional(),
      flops: nonnegative.optional(),
      params: nonnegative.optional(),
      map50_95: finite.optional(),
      reward: finite.optional(),
      accepted: z.boolean().optional(),
      label: z.string().optional(),
    }),
  ),
});
export type ReportSearch = z.output<typeof ReportSearchSchema>;

// Compile-time check that the interface and the input schema describe the same JSON.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _searchSame: Same<z.output<typeof SearchTrajectorySchema>, SearchTrajectory> = true;

export function searchForReport(trajectories: readonly SearchTrajectory[]): ReportSearch[] {
  return trajectories.map((t) => ({
    kind: t.kind,
    points: [...t.points]
      .sort((a, b) => a.step - b.step)
      .map((p) => ({
        step: p.step,
        ...(p.latencyMs !== undefined ? { latency_ms: p.latencyMs } : {}),
        ...(p.predictedLatencyMs !== undefined ? { predicted_latency_ms: p.predictedLatencyMs } : {}),
        ...(p.flops !== undefined ? { flops: p.flops } : {}),
        ...(p.params !== undefined ? { params: p.params } : {}),
        ...(p.map50_95 !== undefined ? { map50_95: p.map50_95 } : {}),
        ...(p.reward !== undefined ? { reward: p.reward } : {}),
        ...(p.accepted !== undefined ? { accepted: p.accepted } : {}),
        ...(p.label !== undefined ? { label: p.label } : {}),
      })),
  }));
}
