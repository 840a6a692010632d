import { z } from "zod";
import { schedulerState as liveScheduler, serverInfo, syncPolicyType } from "../../contract/contract";
import { defineResource } from "../common/defineResource";
import { commonInputs, deployingStack, syncIdleTimeoutSeconds } from "../common/inputs";

export const schedulerStateInputs = z.strictObject({
  ...commonInputs,
  /** The scheduler's declared steady state; true in every documented procedure. */
  syncCycleEnabled: z.boolean().default(true),
  /** active: the server must not be in staging mode; staging: it must be. */
  role: z.enum(["active", "staging"]).default("active"),
  /** Start this sync cycle after the scheduler was enabled by this resource (null: none). */
  startSyncCycleAfterEnable: syncPolicyType.nullable().default(null),
  /** How long to wait for a running sync cycle before giving up. */
  syncIdleTimeoutSeconds,
  /** project/stack: whose pause windows are this stack's own when it finds one open (the component sets it). */
  stack: deployingStack,
});
export type SchedulerStateInputs = z.output<typeof schedulerStateInputs>;

/** The inputs, and what the server reports (the contract's getServerInfo and getScheduler). */
export const schedulerStateOutputs = schedulerStateInputs.extend({
  ...serverInfo.pick({ computerName: true, connectVersion: true, stagingModeEnabled: true }).shape,
  /** Set by Entra Connect during upgrades. */
  schedulerSuspended: liveScheduler.shape.schedulerSuspended,
});
export type SchedulerStateOutputs = z.output<typeof schedulerStateOutputs>;

export const schedulerState = defineResource("SchedulerState", schedulerStateInputs, schedulerStateOutputs);
