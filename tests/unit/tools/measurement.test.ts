// What the measure: and bench scripts share (tools/measurement.ts).
import { childrenCpuSeconds, childrenCpuSecondsOf, median, roundsOption } from "../../../tools/measurement";

test("the children's CPU time is read after the command name, whatever it holds", () => {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
  const line = "1234 (node (a) b) S 1 2 3 4 5 6 7 8 9 10 11 12 250 50 20 0 1\n";
  expect(childrenCpuSecondsOf(line)).toBeCloseTo(3.0); // (250 + 50) ticks of 1/100 s
  expect(childrenCpuSecondsOf("")).toBeNaN();
  expect(childrenCpuSecondsOf("1234 (sh) S 1 2")).toBeNaN();
  expect(childrenCpuSeconds()).toBeGreaterThanOrEqual(0); // this process's own /proc line
});

test("median and --rounds", () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(() => median([])).toThrow("median of no values");
  expect(roundsOption("3")).toBe(3);
  expect(() => roundsOption("0")).toThrow('--rounds: a positive whole number, got "0"');
});
