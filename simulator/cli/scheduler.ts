// entra-sim scheduler: read or set the sync scheduler (Set-ADSyncScheduler).
import type { SchedulerStateResult } from "../../contract/contract";
import { callOperation, runAction, setSchedulerSuspended } from "../admin";
import { boolFlag, type CliCommand, meta, noExtraPositionals } from "./args";

function schedulerLines(scheduler: SchedulerStateResult): string[] {
  return Object.entries(scheduler).map(([key, value]) => `${key}: ${String(value)}`);
}

export const schedulerCommand: CliCommand = {
  name: "scheduler",
  help: ["  scheduler <state> [--sync-cycle-enabled true|false] [--suspended true|false]"],
  options: {
    "sync-cycle-enabled": { type: "string" },
    suspended: { type: "string" },
  },
  async run({ file, values, positionals }, io) {
    noExtraPositionals("scheduler", positionals, 1);
    const enabled = boolFlag(values, "sync-cycle-enabled");
    const suspended = boolFlag(values, "suspended");
    if (suspended !== undefined) {
      await runAction(file, "scheduler.suspended", { suspended }, meta(values), (tx, server) =>
        setSchedulerSuspended(tx, server, suspended),
      );
    }
    const scheduler =
      enabled === undefined
        ? await callOperation(file, "getScheduler", {}, meta(values))
        : await callOperation(file, "setSchedulerSyncCycleEnabled", { enabled }, meta(values));
    io.out(schedulerLines(scheduler as SchedulerStateResult).join("\n"));
  },
};
