// SchedulerState: the sync scheduler's declared steady state (enabled) and the server's role.
import type { ProviderImplementation } from "../common/defineResource";
import type { EntraConnectClient } from "../../contract/backend";
import { clientFor, deploymentOwner, noteDeploymentStack } from "../common/connection";
import { diffByKeys } from "../common/diff";
import { isClaimed } from "../common/claims";
import { MIGRATION_RESUMES_CLAIM } from "../../domain/cloudSyncMigration";
import { type Progress, progressFor } from "../common/progress";
import {
  closeLeftWindow,
  heldByAnother,
  INTERRUPTED_DEPLOYMENT_ADVICE,
  isOwnMigrationWindow,
  refuseDeleteInsideMigrationWindow,
  refuseInsideOwnMigrationWindow,
  waitForSyncIdle,
  windowDescription,
  windowHeldAdvice,
} from "../../domain/syncWindow";
import { schedulerState, type SchedulerStateInputs, type SchedulerStateOutputs } from "./schema";

type Outputs = SchedulerStateOutputs & Record<string, unknown>;

/**
 * SyncCycleEnabled as the server has it now. Checked on every diff, refresh or not: a deployment that was
 * interrupted inside its pause window (kill -9, a lost session, a timeout on the resume) leaves the scheduler
 * disabled while the stack's state still says enabled, and only a live read sees that. The client remembers
 * getServerState until this deployment changes something or waits, so the read a refresh made serves every
 * later diff (`preview --refresh` diffs twice) without another round trip.
 */
async function liveSyncCycleEnabled(target: unknown): Promise<boolean> {
  return (await clientFor(target).call("getServerState", {})).scheduler.syncCycleEnabled;
}

function repairedMessage(where: string): string {
  return (
    `REPAIRED: the sync scheduler on ${where} was disabled (SyncCycleEnabled = False) although this stack ` +
    "declares it enabled, most likely left paused by an interrupted deployment (or disabled outside the stack). " +
    `It is enabled again (SyncCycleEnabled = True). ${INTERRUPTED_DEPLOYMENT_ADVICE}`
  );
}

function roleMismatch(
  inputs: SchedulerStateInputs,
  stagingModeEnabled: boolean,
  where: string,
): string | undefined {
  if (inputs.role === "staging" && !stagingModeEnabled) {
    return (
      `${where} is not in staging mode, but this stack's role is staging. entra-writeback will not act on an ` +
      "active server from a staging stack. Enable staging mode in the Entra Connect wizard (Configure staging " +
      "mode), or set entra-writeback:role to active in the stack for the active server."
    );
  }
  if (inputs.role === "active" && stagingModeEnabled) {
    return (
      `${where} is in staging mode, but this stack's role is active. Use role staging for a staging server, ` +
      "or switch the server to active in the Entra Connect wizard first (see docs/swing-migration.md)."
    );
  }
  return undefined;
}

/** @param believedEnabled the stack's state said the scheduler was enabled (an update after a live diff). */
async function converge(
  client: EntraConnectClient,
  inputs: SchedulerStateInputs,
  progress: Progress,
  believedEnabled = false,
): Promise<Outputs> {
  const server = await client.call("getServerInfo", {});
  let scheduler = await client.call("getScheduler", {});
  const owner = inputs.stack ?? deploymentOwner();
  // With the scheduler off, this stack's migration may hold it off (its window): first, before the role's check,
  // which staging mode on (the migration's step 2) would fail with advice that leads to ending that window.
  const found = scheduler.syncCycleEnabled ? undefined : await client.call("getSyncWindow", {});
  refuseInsideOwnMigrationWindow(found?.window, owner, "SchedulerState", server.computerName);
  const refusal = roleMismatch(inputs, server.stagingModeEnabled, server.computerName);
  if (refusal) throw new Error(refusal);

  if (scheduler.schedulerSuspended) {
    progress(
      `the scheduler on ${server.computerName} is suspended (SchedulerSuspended = True, set during upgrades)`,
    );
  }
  let enabledHere = false;
  if (!scheduler.syncCycleEnabled && inputs.syncCycleEnabled) {
    // Disabled: by another stack's deployment inside its window (leave it), or left so by a deployment that
    // died inside its window (finish that window), or by someone outside the stack.
    const held = found && heldByAnother(found, owner);
    if (held) throw new Error(`SchedulerState: ${windowHeldAdvice(server.computerName, held)}`);
    if (found?.window) {
      await closeLeftWindow(client, found.window, {
        owner,
        progress,
        timeoutSeconds: inputs.syncIdleTimeoutSeconds,
        leaveOwedCycle: true,
      });
      scheduler = await client.call("getScheduler", {});
    }
  }
  if (scheduler.syncCycleEnabled !== inputs.syncCycleEnabled) {
    await waitForSyncIdle(client, { timeoutSeconds: inputs.syncIdleTimeoutSeconds, progress });
    progress(
      `setting SyncCycleEnabled = ${inputs.syncCycleEnabled ? "True" : "False"} on ${server.computerName}`,
    );
    scheduler = await client.call("setSchedulerSyncCycleEnabled", { enabled: inputs.syncCycleEnabled });
    enabledHere = inputs.syncCycleEnabled;
    if (enabledHere && believedEnabled) progress(repairedMessage(server.computerName));
  }
  if (enabledHere && inputs.startSyncCycleAfterEnable) {
    await waitForSyncIdle(client, { timeoutSeconds: inputs.syncIdleTimeoutSeconds, progress });
    progress(`starting a ${inputs.startSyncCycleAfterEnable} sync cycle on ${server.computerName}`);
    await client.call("startSyncCycle", { policyType: inputs.startSyncCycleAfterEnable });
  }
  return {
    ...inputs,
    syncCycleEnabled: scheduler.syncCycleEnabled,
    computerName: server.computerName,
    connectVersion: server.connectVersion,
    stagingModeEnabled: server.stagingModeEnabled,
    schedulerSuspended: scheduler.schedulerSuspended,
  };
}

export const schedulerStateProvider: ProviderImplementation = {
  async check(_olds, news) {
    return schedulerState.check(news);
  },

  async diff(_id, olds: Outputs, news) {
    const inputs = news as SchedulerStateInputs;
    noteDeploymentStack(typeof inputs.stack === "string" ? inputs.stack : undefined);
    const wrongRole =
      typeof olds.stagingModeEnabled === "boolean" &&
      roleMismatch(inputs, olds.stagingModeEnabled, olds.computerName ?? "the server") !== undefined;
    const planned = diffByKeys(olds, news, {
      replaceKeys: ["target"],
      ignoreKeys: ["stack"],
      extraChanges: wrongRole,
    });
    if (planned.replaces?.length || typeof inputs.syncCycleEnabled !== "boolean") return planned;
    const live = await liveSyncCycleEnabled(olds.target);
    if (live === inputs.syncCycleEnabled) return planned;
    if (!live) {
      const found = await clientFor(olds.target).call("getSyncWindow", {});
      const owner = typeof inputs.stack === "string" ? inputs.stack : deploymentOwner();
      if (isOwnMigrationWindow(found.window, owner)) {
        const heldOff =
          `the sync scheduler on ${olds.computerName ?? "the server"} is held off by this stack's migration to Cloud ` +
          `Sync (its pause window, opened ${found.window.openedAtUtc})`;
        if (isClaimed(MIGRATION_RESUMES_CLAIM)) {
          // The migration resumes the scheduler at its step 5, before this resource's update: nothing to do here.
          progressFor("SchedulerState")(
            `${heldOff}; the migration re-enables it at its step 5, before this resource`,
          );
          return planned;
        }
        progressFor("SchedulerState")(
          `${heldOff}, and this deployment runs SchedulerState without the migration's step that re-enables it ` +
            "(entra-writeback:cloudSyncMigration no longer declared, or --target left the steps out): the update " +
            'refuses to end that window (docs/cloud-sync-migration.md, "Dropping the key mid-migration")',
        );
        return { ...planned, changes: true };
      }
      const held = heldByAnother(found, owner);
      if (held) {
        // Another stack's deployment is inside its window now: its own resume re-enables the scheduler.
        progressFor("SchedulerState")(
          `the sync scheduler on ${olds.computerName ?? "the server"} is paused by ${held.owner} for ${windowDescription(held)} ` +
            `(until ${held.expiresAtUtc} at the latest); this stack leaves it to that deployment`,
        );
        return planned;
      }
    }
    if (!live && olds.syncCycleEnabled === true) {
      progressFor("SchedulerState")(
        `the sync scheduler on ${olds.computerName ?? "the server"} is disabled (SyncCycleEnabled = False), but ` +
          "this stack declares it enabled: the update re-enables it",
      );
    }
    return { ...planned, changes: true };
  },

  async create(raw) {
    const inputs = schedulerState.parse(raw);
    noteDeploymentStack(inputs.stack);
    const client = clientFor(inputs.target);
    const outs = await converge(client, inputs, progressFor("SchedulerState"));
    return { id: `scheduler/${outs.computerName}`, outs };
  },

  async read(id, props) {
    // One read of the server, which the v2 resource's read shares (getServerState is remembered).
    const { server, scheduler } = await clientFor((props as Outputs).target).call("getServerState", {});
    const live: Outputs = {
      ...(props as Outputs),
      syncCycleEnabled: scheduler.syncCycleEnabled,
      computerName: server.computerName,
      connectVersion: server.connectVersion,
      stagingModeEnabled: server.stagingModeEnabled,
      schedulerSuspended: scheduler.schedulerSuspended,
    };
    return { id, props: live };
  },

  async update(_id, olds, news) {
    const inputs = schedulerState.parse(news);
    noteDeploymentStack(inputs.stack);
    const believedEnabled = (olds as Partial<Outputs>).syncCycleEnabled === true;
    return {
      outs: await converge(clientFor(inputs.target), inputs, progressFor("SchedulerState"), believedEnabled),
    };
  },

  async delete(_id, props) {
    // Never leave the scheduler disabled: whatever this stack declared, destroy leaves it enabled, except while
    // another stack is inside its pause window (its own resume re-enables it); refused while this stack's migration
    // to Cloud Sync holds it off (re-enabling it would run Connect between the migration's steps).
    const client = clientFor((props as Outputs).target);
    const scheduler = await client.call("getScheduler", {});
    if (!scheduler.syncCycleEnabled) {
      const owner = (props as Outputs).stack ?? deploymentOwner();
      const found = await client.call("getSyncWindow", {});
      const held = heldByAnother(found, owner);
      if (held) {
        progressFor("SchedulerState")(
          `the sync scheduler on ${client.description} is paused by ${held.owner} for ${windowDescription(held)} (until ` +
            `${held.expiresAtUtc} at the latest); this stack leaves it to that deployment, whose resume re-enables it`,
        );
        return;
      }
      refuseDeleteInsideMigrationWindow(
        found,
        owner,
        "SchedulerState",
        client.description,
        "re-enable the sync scheduler and end that window",
      );
      progressFor("SchedulerState")(
        `re-enabling the sync scheduler on ${client.description} (never left disabled)`,
      );
      await client.call("setSchedulerSyncCycleEnabled", { enabled: true });
      // A window this stack left open (an interrupted deployment) is finished: the scheduler runs again.
      if (found.window?.owner === owner) await client.call("closeSyncWindow", { owner });
    }
  },
};
