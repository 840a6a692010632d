// The scheduler rules of Microsoft's procedure: wait until no sync cycle runs, disable the scheduler,
// make the change, re-enable it, and never leave it disabled because something failed.
import type { EntraConnectClient } from "../../operations/backend";
import type { Progress } from "./progress";

export interface SyncIdleOptions {
  /** Give up after this many seconds of waiting (syncIdleTimeoutSeconds). */
  timeoutSeconds: number;
  pollSeconds?: number;
  progress: Progress;
}

export class SyncStillRunningError extends Error {
  override readonly name = "SyncStillRunningError";
}

/** Waits until Get-ADSyncScheduler reports no cycle in progress. Time is counted in the backend's clock. */
export async function waitForSyncIdle(client: EntraConnectClient, options: SyncIdleOptions): Promise<void> {
  const pollMs = (options.pollSeconds ?? 5) * 1000;
  let waitedMs = 0;
  for (;;) {
    const scheduler = await client.call("getScheduler", {});
    if (!scheduler.syncCycleInProgress) {
      if (waitedMs > 0) options.progress(`the sync cycle finished after ${Math.round(waitedMs / 1000)} s`);
      return;
    }
    if (waitedMs >= options.timeoutSeconds * 1000) {
      throw new SyncStillRunningError(
        `a sync cycle is still running on ${client.description} after ${options.timeoutSeconds} s ` +
          "(syncIdleTimeoutSeconds). Nothing was changed. Retry when it has finished, or raise syncIdleTimeoutSeconds.",
      );
    }
    options.progress(
      `waiting for the running sync cycle on ${client.description} to finish (${Math.round(waitedMs / 1000)} s of at most ${options.timeoutSeconds} s)`,
    );
    await client.sleep(pollMs);
    waitedMs += pollMs;
  }
}

/**
 * What to do after an interrupted deployment, said wherever the project finds one. docs/operations.md is the
 * runbook; every step here is followed by a test (tests/e2e/interruptions.test.ts).
 */
export const INTERRUPTED_DEPLOYMENT_ADVICE =
  "After an interrupted deployment: `pulumi cancel` releases a locked stack, a plain `pulumi up` repairs the " +
  "scheduler, and `pulumi refresh --clear-pending-creates` then clears the pending operations the engine " +
  "warns about (see docs/operations.md).";

export interface PauseWindowOptions extends SyncIdleOptions {
  /** What the change is, for messages: "enabling Group Writeback V2". */
  change: string;
}

/**
 * Runs `change` with the sync scheduler paused, per Microsoft's procedure. The scheduler is re-enabled
 * whatever happens (its declared steady state is enabled); if that fails too, the error says so loudly.
 */
export async function withSchedulerPaused<T>(
  client: EntraConnectClient,
  options: PauseWindowOptions,
  change: () => Promise<T>,
): Promise<T> {
  await waitForSyncIdle(client, options);
  options.progress(`pausing the sync scheduler on ${client.description} for ${options.change}`);
  await client.call("setSchedulerSyncCycleEnabled", { enabled: false });
  let result: T;
  try {
    // A cycle the scheduler started just before the pause must finish before the change.
    await waitForSyncIdle(client, options);
    result = await change();
  } catch (changeError) {
    const restored = await resumeScheduler(client, options);
    const what = changeError instanceof Error ? changeError.message : String(changeError);
    throw new Error(
      restored === true
        ? `${options.change} failed on ${client.description}: ${what}. The sync scheduler was re-enabled (SyncCycleEnabled = True).`
        : `${options.change} failed on ${client.description}: ${what}. ${restored}`,
      { cause: changeError },
    );
  }
  const restored = await resumeScheduler(client, options);
  if (restored !== true)
    throw new Error(`${options.change} succeeded on ${client.description}, but: ${restored}`);
  return result;
}

/** Re-enables the scheduler; returns true, or the loud message when it could not. */
async function resumeScheduler(
  client: EntraConnectClient,
  options: PauseWindowOptions,
): Promise<true | string> {
  try {
    await client.call("setSchedulerSyncCycleEnabled", { enabled: true });
    options.progress(`sync scheduler on ${client.description} re-enabled`);
    return true;
  } catch (error) {
    return (
      `THE SYNC SCHEDULER ON ${client.description.toUpperCase()} IS STILL DISABLED: re-enabling it failed ` +
      `(${error instanceof Error ? error.message : String(error)}). No synchronization runs until it is ` +
      "enabled again: run `pulumi up` again (it finds the scheduler disabled and re-enables it), or run " +
      "`Set-ADSyncScheduler -SyncCycleEnabled $true` on the server (see docs/operations.md)."
    );
  }
}
