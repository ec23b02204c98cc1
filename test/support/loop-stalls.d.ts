export interface StallReport {
  /** The longest event-loop delay, whatever its cause (ms). */
  maxMs: number;
  p99Ms: number;
  /** The longest JS-thread stall that the reference thread did not share (ms). */
  oursMaxMs: number;
  /** Stalls the reference thread saw: the machine, not our code. */
  machineStalls: number;
  stalls: { total: number; ours: number }[];
}
export function startStallMeter(): Promise<{ stop(): Promise<StallReport> }>;
export function uncovered(interval: [number, number], gaps: [number, number][]): number;
