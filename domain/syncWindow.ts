// The scheduler rules of Microsoft's procedure: wait until no sync cycle runs, disable the scheduler,
// make the change, re-enable it, and never leave it disabled because something failed.
import type { EntraConnectClient } from "../contract/backend";
import type { SyncWindow } from "../contract/contract";
import { isOperationError } from "../contract/errors";
import type { Progress } from "./progress";
import { MIGRATION_WINDOW_CHANGE } from "./cloudSyncMigration";

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
  /** project/stack of the deploying stack: the owner of the window marker on the server. */
  owner: string;
  /** The change is followed by an Initial sync cycle inside the window (`afterResume`). */
  initialCycle?: boolean;
  /** The bound of one call on the server (callTimeoutSeconds): part of the window's lease. */
  callTimeoutSeconds: number;
}

/**
 * How long a window may legitimately stay open: waiting for idle before and after the pause and before an
 * Initial cycle, plus four calls (pause, change, resume, cycle start), plus a minute. After that the marker is
 * stale: its deployment died, and another stack's run takes it over.
 */
export function windowLeaseSeconds(syncIdleTimeoutSeconds: number, callTimeoutSeconds: number): number {
  const seconds = 3 * syncIdleTimeoutSeconds + 4 * callTimeoutSeconds + 60;
  return Math.min(Math.max(Math.ceil(seconds), 60), 7 * 86_400);
}

/** Another stack's window that has not lapsed, from getSyncWindow's answer; undefined when none. */
export function heldByAnother(
  found: { window: SyncWindow | null; serverTimeUtc: string },
  owner: string,
): SyncWindow | undefined {
  const window = found.window;
  if (!window || window.owner === owner) return undefined;
  return Date.parse(window.expiresAtUtc) > Date.parse(found.serverTimeUtc) ? window : undefined;
}

/** The refusal when another stack's window is open on the server: names that stack and what to do. */
export function windowHeldAdvice(description: string, held: SyncWindow): string {
  return (
    `another stack, ${held.owner}, has the sync scheduler on ${description} paused for ${windowDescription(held)} ` +
    `(its window opened ${held.openedAtUtc} and lapses ${held.expiresAtUtc}). Two stacks must not pause and ` +
    "resume the same scheduler at once: nothing was changed. Retry when that deployment has finished. If it " +
    "died, its window lapses at the time given and the next `pulumi up` of any stack that manages this server " +
    "takes it over (see docs/operations.md)."
  );
}

/**
 * A held window: one a stack opens to keep the scheduler off across several steps and resources (the migration to
 * Cloud Sync holds it from the scheduler going off to the scheduler coming back), unlike the window of one change,
 * which withSchedulerPaused closes when the change is done. The marker says so in its `held` field (openHeldWindow),
 * so that any run of the same stack, in any resource and any later deployment, tells the two apart: a change made
 * inside a held window of its own stack runs within it and leaves it open (nested), while a one-change window the
 * stack left open is an interrupted deployment, taken over and finished as before.
 *
 * This is the one place that decides whether a marker is held, and the one place that knows the older form.
 */

/**
 * How messages say a window is held (windowDescription), and how a marker written before `held` was a field of the
 * marker said so: its `change` ended with this. Such markers are read (a server mid-migration keeps its marker for up
 * to the 7-day lease across an upgrade of the stack), never written.
 */
const HELD_ACROSS_STEPS = " (held across steps)";

/** The marker is a held window: its `held` field, or on a marker written before that field, its `change`. */
export function isHeldWindow(window: SyncWindow): boolean {
  return window.held ?? window.change.endsWith(HELD_ACROSS_STEPS);
}

/** What the window is for, as it was opened (an older held marker's `change` without its mark). */
export function windowPurpose(window: SyncWindow): string {
  return window.held === undefined && window.change.endsWith(HELD_ACROSS_STEPS)
    ? window.change.slice(0, -HELD_ACROSS_STEPS.length)
    : window.change;
}

/** What the window is for, as messages say it: its purpose, and `(held across steps)` when it is held. */
export function windowDescription(window: SyncWindow): string {
  return `${windowPurpose(window)}${isHeldWindow(window) ? HELD_ACROSS_STEPS : ""}`;
}

/** `window` is the held window `owner` opened for `purpose` (either form of the marker). */
export function isHeldWindowFor(
  window: SyncWindow | null | undefined,
  owner: string,
  purpose: string,
): window is SyncWindow {
  return !!window && window.owner === owner && isHeldWindow(window) && windowPurpose(window) === purpose;
}

/** Whether a marker is the pause window of the migration to Cloud Sync (any stack's), in either marker form. */
export function isMigrationWindow(window: SyncWindow | null | undefined): window is SyncWindow {
  return !!window && windowPurpose(window) === MIGRATION_WINDOW_CHANGE;
}

/** Whether a marker is `owner`'s held pause window of the migration to Cloud Sync, in either marker form. */
export function isOwnMigrationWindow(
  window: SyncWindow | null | undefined,
  owner: string,
): window is SyncWindow {
  return isHeldWindowFor(window, owner, MIGRATION_WINDOW_CHANGE);
}

/** Where docs/cloud-sync-migration.md says how to back out of a migration under way by hand. */
export const MIGRATION_BACK_OUT_SECTION = "Backing out by hand";

/** The refusals' second way out of a migration under way, then `then` ("run pulumi up"). */
function backOutByHand(then: string): string {
  return (
    "Or, while GroupWritebackV2 is still on, back out of the migration by hand as docs/cloud-sync-migration.md " +
    `describes ("${MIGRATION_BACK_OUT_SECTION}"), then ${then}.`
  );
}

/**
 * The guard of every resource that would end or bypass this stack's held migration window (domain/cloudSyncMigration.ts,
 * MIGRATION_WINDOW_CHANGE) when it runs without the migration's steps (the stack dropped
 * `entra-writeback:cloudSyncMigration` mid-migration, or `--target` left the steps out): SchedulerState would re-enable
 * the scheduler and close the window, the GroupWritebackV2 resource in enable or require mode would close it or turn
 * the flag on inside it. Throws the one refusal, before the caller changes anything; returns when there is no such
 * window. The migration's own resources never call it: they run inside the window.
 *
 * @param resource the refusing resource, as messages name it ("SchedulerState").
 */
export function refuseInsideOwnMigrationWindow(
  window: SyncWindow | null | undefined,
  owner: string,
  resource: string,
  description: string,
): void {
  if (!isOwnMigrationWindow(window, owner)) return;
  throw new Error(
    `${resource}: REFUSED: the migration to Cloud Sync is under way on ${description}: this stack (${owner}) holds ` +
      `the sync scheduler off for it in its pause window (opened ${window.openedAtUtc}), and this deployment runs ` +
      `${resource} without the migration's steps (entra-writeback:cloudSyncMigration is no longer declared, or ` +
      "--target left the steps out), which would end that window in the middle of the migration. Nothing was " +
      "changed. Either put entra-writeback:cloudSyncMigration back as it was and run pulumi up: the migration goes " +
      `on from where it stopped and finishes. ${backOutByHand("run pulumi up")}`,
  );
}

/**
 * The guard of every delete that writes to the Connect server (SchedulerState's re-enable, a SyncRule's revert, the
 * WritebackOU's removal, the WritebackPermission's revoke) or forgets a migration step that ran, while a migration to
 * Cloud Sync holds the server's scheduler off in its pause window (MIGRATION_WINDOW_CHANGE): a `pulumi destroy`
 * mid-migration (or an up that drops one of these resources) would otherwise change the server in the middle of the
 * migration, the scheduler's re-enable running Connect between the migration's steps. Throws the one refusal before
 * the caller writes; returns when there is no such window, or when the window is another stack's and has lapsed (as
 * heldByAnother: the next up of any stack takes it over). A caller that does not know its stack (`owner` undefined:
 * the OU and the ACE have no stack input) refuses for any migration window, lapsed or not: it could be its own.
 *
 * @param resource the refusing resource, as messages name it ("SchedulerState").
 * @param effect what the delete would do, as the refusal says it ("re-enable the sync scheduler").
 */
export function refuseDeleteInsideMigrationWindow(
  found: { window: SyncWindow | null; serverTimeUtc: string },
  owner: string | undefined,
  resource: string,
  description: string,
  effect: string,
): void {
  const window = found.window;
  if (!isMigrationWindow(window)) return;
  const another = owner !== undefined && window.owner !== owner;
  if (another && !heldByAnother(found, owner)) return;
  const refused =
    `${resource}: REFUSED: the migration to Cloud Sync is under way on ${description}: ` +
    `${another ? `another stack, ${window.owner},` : `the stack ${window.owner}`} holds the sync scheduler off for it in its pause ` +
    `window (opened ${window.openedAtUtc}), and deleting this resource (pulumi destroy, or a resource the stack no ` +
    `longer declares) would ${effect} in the middle of the migration. Nothing was changed on the server. `;
  if (another) {
    throw new Error(
      refused +
        `Run the same command again once ${window.owner}'s migration has finished (its window lapses ` +
        `${window.expiresAtUtc} at the latest).`,
    );
  }
  const ways =
    `Either finish the migration first: run pulumi up of ${window.owner} with entra-writeback:cloudSyncMigration as ` +
    "declared (and its confirmation, cloudSyncMigration.confirmDisableGroupWritebackV2, if it waits for it): it goes " +
    `on from where it stopped and ends with the scheduler on; then run the same command again. ${backOutByHand("run the same command again")}`;
  throw new Error(
    refused +
      ways +
      (owner === undefined
        ? ` (If ${window.owner} is not this stack, run the same command again once its migration has finished.)`
        : ""),
  );
}

/** refuseDeleteInsideMigrationWindow with the server's marker read first (one read). */
export async function refuseDeleteDuringMigration(
  client: EntraConnectClient,
  owner: string | undefined,
  resource: string,
  effect: string,
): Promise<void> {
  refuseDeleteInsideMigrationWindow(
    await client.call("getSyncWindow", {}),
    owner,
    resource,
    client.description,
    effect,
  );
}

/** Opens (or renews) `owner`'s held window for `purpose`; the scheduler is the caller's to pause and resume. */
export async function openHeldWindow(
  client: EntraConnectClient,
  window: { owner: string; purpose: string; leaseSeconds: number },
): Promise<SyncWindow> {
  const { window: opened } = await client.call("openSyncWindow", {
    owner: window.owner,
    change: window.purpose,
    initialCycle: false,
    held: true,
    leaseSeconds: window.leaseSeconds,
  });
  return opened;
}

/**
 * This stack's held window with the scheduler off inside it; undefined otherwise. The marker is read only when the
 * scheduler is off: with it on, there is nothing to nest in, and the one-change window opens as always.
 */
async function ownHeldWindow(client: EntraConnectClient, owner: string): Promise<SyncWindow | undefined> {
  const scheduler = await client.call("getScheduler", {});
  if (scheduler.syncCycleEnabled) return undefined;
  const { window } = await client.call("getSyncWindow", {});
  return window && window.owner === owner && isHeldWindow(window) ? window : undefined;
}

/**
 * A change inside this stack's held window, the scheduler off: the change and `afterResume` (the Initial cycle it
 * owes) run within the window, and the scheduler stays off and the window open for its holder to end.
 */
async function withinHeldWindow<T>(
  client: EntraConnectClient,
  options: PauseWindowOptions,
  held: SyncWindow,
  change: () => Promise<T>,
  afterResume?: () => Promise<void>,
): Promise<T> {
  options.progress(
    `${options.change} inside this stack's window on ${client.description} (opened ${held.openedAtUtc} for ` +
      `${windowDescription(held)}): the sync scheduler stays off and the window open`,
  );
  await waitForSyncIdle(client, options);
  let result: T;
  try {
    result = await change();
    if (afterResume) {
      await waitForSyncIdle(client, options);
      await afterResume();
    }
  } catch (changeError) {
    const what = changeError instanceof Error ? changeError.message : String(changeError);
    throw new Error(
      `${options.change} failed on ${client.description}: ${what}. The sync scheduler stays off inside this ` +
        `stack's window (${windowDescription(held)}), which the next \`pulumi up\` continues.`,
      { cause: changeError },
    );
  }
  return result;
}

/**
 * Runs `change` with the sync scheduler paused, per Microsoft's procedure, inside a window marker on the server
 * (openSyncWindow) that names this stack: another stack is refused meanwhile, and if this deployment dies inside
 * the window, the next run of this stack finds the marker and finishes the window (closeLeftWindow). The
 * scheduler is re-enabled whatever happens (its declared steady state is enabled); if that fails too, the error
 * says so loudly and the marker stays for the next run. Inside a held window of this stack (isHeldWindow) the
 * change is nested: it runs within that window and leaves the scheduler off and the window open.
 */
export async function withSchedulerPaused<T>(
  client: EntraConnectClient,
  options: PauseWindowOptions,
  change: () => Promise<T>,
  afterResume?: () => Promise<void>,
): Promise<T> {
  const held = await ownHeldWindow(client, options.owner);
  if (held) return withinHeldWindow(client, options, held, change, afterResume);
  await waitForSyncIdle(client, options);
  await openWindow(client, options);
  options.progress(`pausing the sync scheduler on ${client.description} for ${options.change}`);
  let result: T;
  try {
    // Inside the try: a pause that fails after the server applied it (a timeout, a lost session) is resumed too.
    await client.call("setSchedulerSyncCycleEnabled", { enabled: false });
    // A cycle the scheduler started just before the pause must finish before the change.
    await waitForSyncIdle(client, options);
    result = await change();
  } catch (changeError) {
    const restored = await resumeScheduler(client, options);
    if (restored === true) await closeWindow(client, options);
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
  // A failed Initial cycle leaves the marker: the next run starts the cycle again. Re-enabling can start a cycle
  // at once (a start time missed during the pause): wait for it, or the Initial cycle would be refused as busy.
  if (afterResume) {
    await waitForSyncIdle(client, options);
    await afterResume();
  }
  await closeWindow(client, options);
  return result;
}

async function openWindow(client: EntraConnectClient, options: PauseWindowOptions): Promise<void> {
  let replaced: SyncWindow | null;
  try {
    ({ replaced } = await client.call("openSyncWindow", {
      owner: options.owner,
      change: options.change,
      initialCycle: options.initialCycle ?? false,
      leaseSeconds: windowLeaseSeconds(options.timeoutSeconds, options.callTimeoutSeconds),
    }));
  } catch (error) {
    if (isOperationError(error, "Refused")) {
      // The server's sentence names the holder; say it in our words, with what to do.
      const { window } = await client.call("getSyncWindow", {});
      if (window)
        throw new Error(`${options.change}: ${windowHeldAdvice(client.description, window)}`, {
          cause: error,
        });
      throw new Error(`${options.change} was not started on ${client.description}: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
  if (replaced) options.progress(takenOverMessage(client.description, replaced, options.owner));
}

function takenOverMessage(description: string, replaced: SyncWindow, owner: string): string {
  const whose =
    replaced.owner === owner
      ? `an interrupted deployment of this stack (${owner})`
      : `${replaced.owner}, whose window lapsed at ${replaced.expiresAtUtc} (that deployment died inside it)`;
  return `took over the pause window that ${whose} left open on ${description} (opened ${replaced.openedAtUtc} for ${windowDescription(replaced)})`;
}

/** Closes this stack's marker. The scheduler runs again by now: a failure here is said, not thrown. */
async function closeWindow(client: EntraConnectClient, options: PauseWindowOptions): Promise<void> {
  try {
    await client.call("closeSyncWindow", { owner: options.owner });
  } catch (error) {
    options.progress(
      `the pause window marker on ${client.description} could not be removed ` +
        `(${error instanceof Error ? error.message : String(error)}); the scheduler runs. The next \`pulumi up\` ` +
        "of this stack removes the marker; until then other stacks wait for it or for its lease to lapse.",
    );
  }
}

/**
 * Finishes a window an interrupted deployment left open (this stack's, or another stack's that lapsed): the
 * scheduler enabled, the Initial sync cycle it owed started, the marker closed; says what it repaired.
 *
 * @param options.leaveOwedCycle the caller cannot tell whether the change was made (SchedulerState): it only
 *   re-enables the scheduler and leaves a marker that owes an Initial cycle to the step that made the change,
 *   which starts the cycle only if the change is in place (and otherwise opens its own window).
 */
export async function closeLeftWindow(
  client: EntraConnectClient,
  window: SyncWindow,
  options: SyncIdleOptions & { owner: string; leaveOwedCycle?: boolean },
): Promise<void> {
  const whose =
    window.owner === options.owner
      ? `an interrupted deployment of this stack (${window.owner})`
      : `${window.owner}, whose window lapsed at ${window.expiresAtUtc},`;
  const opened = `left its pause window on ${client.description} open (opened ${window.openedAtUtc} for ${windowDescription(window)})`;
  const done: string[] = [];
  const scheduler = await client.call("getScheduler", {});
  if (!scheduler.syncCycleEnabled) {
    await client.call("setSchedulerSyncCycleEnabled", { enabled: true });
    done.push("re-enabled the sync scheduler (SyncCycleEnabled = True)");
  }
  if (window.initialCycle && options.leaveOwedCycle) {
    options.progress(
      `REPAIRED: ${whose} ${opened}: ${done.join("; ") || "the scheduler was enabled"}; the Initial sync cycle ` +
        `that window owes is left to the ${window.change} step. ${INTERRUPTED_DEPLOYMENT_ADVICE}`,
    );
    return;
  }
  if (window.initialCycle) {
    await waitForSyncIdle(client, options);
    await client.call("startSyncCycle", { policyType: "Initial" });
    done.push(
      "started the Initial sync cycle that window owed (Microsoft's step when v1 was already configured)",
    );
  }
  await client.call("closeSyncWindow", { owner: window.owner });
  done.push("closed the window");
  options.progress(`REPAIRED: ${whose} ${opened}: ${done.join("; ")}. ${INTERRUPTED_DEPLOYMENT_ADVICE}`);
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
