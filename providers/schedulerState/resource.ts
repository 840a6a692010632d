import type { ArgsOf } from "../common/defineResource";
import { resourceClass } from "../common/shell";
import { schedulerState } from "./schema";

export type SchedulerStateArgs = ArgsOf<typeof schedulerState.inputs>;

/** The Entra Connect sync scheduler (Get-/Set-ADSyncScheduler) and the server's staging-mode role. */
export const SchedulerState = resourceClass(schedulerState);
export type SchedulerState = InstanceType<typeof SchedulerState>;
