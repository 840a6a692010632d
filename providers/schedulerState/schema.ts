import { z } from "zod";
import { syncPolicyType } from "../../operations/contract";
import { commonInputs, deployingStack, syncIdleTimeoutSeconds } from "../common/inputs";

export const schedulerStateInputs = z.strictObject({
  ...commonInputs,
  /** The scheduler's declared steady state; true in every documented procedure. */
  syncCycleEnabled: z.boolean().default(true),
  /** active: the server must not be in staging mode; staging: it must be. */
  role: z.enum(["active", "staging"]).default("active"),
  /** Start this sync cycle after the scheduler was enabled by this resource (null: none). */
  startSyncCycleAfterEnable: syncPolicyType.nullable().default(null),
  syncIdleTimeoutSeconds,
  stack: deployingStack,
});
export type SchedulerStateInputs = z.output<typeof schedulerStateInputs>;

export interface SchedulerStateOutputs extends SchedulerStateInputs {
  computerName: string;
  connectVersion: string;
  stagingModeEnabled: boolean;
  schedulerSuspended: boolean;
}
