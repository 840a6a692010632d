// Time as the simulator sees it: the wall clock, or a simulated clock that only moves when told to.
import type { Clock, SimState } from "./model";

export function currentTimeMs(clock: Clock): number {
  return clock.mode === "real" ? Date.now() : Date.parse(clock.now);
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Moves a simulated clock forward; a real clock cannot be moved. */
export function advanceClock(state: SimState, milliseconds: number): void {
  if (state.clock.mode === "real") {
    throw new Error("the clock is real and cannot be advanced; create the state with --clock simulated");
  }
  if (!Number.isFinite(milliseconds) || milliseconds < 0) {
    throw new Error(`the clock can only move forward, got ${milliseconds} ms`);
  }
  state.clock = { mode: "simulated", now: toIso(Date.parse(state.clock.now) + milliseconds) };
}

/** .NET TimeSpan text as PowerShell prints it: 00:30:00, 7.00:00:00. */
export function formatTimeSpan(totalSeconds: number): string {
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = Math.floor(totalSeconds % 60);
  const two = (n: number): string => String(n).padStart(2, "0");
  const time = `${two(hours)}:${two(minutes)}:${two(seconds)}`;
  return days > 0 ? `${days}.${time}` : time;
}

/** Parses d.hh:mm:ss or hh:mm:ss; returns seconds, or null when the text is not a TimeSpan. */
export function parseTimeSpan(text: string): number | null {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!match) return null;
  const [, days, hours, minutes, seconds] = match;
  return Number(days ?? 0) * 86_400 + Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds);
}
