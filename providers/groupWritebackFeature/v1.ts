// GroupWritebackFeature v1: verifies the wizard step (it cannot be automated), in order after v2.
import type { EntraConnectClient } from "../../contract/backend";
import { isOperationError } from "../../contract/errors";
import { sameDn } from "../common/dn";
import type { Progress } from "../common/progress";
import { waitForWizardStep } from "../common/wizardWait";
import { waitForSyncIdle } from "../../domain/syncWindow";
import type { PendingExportsReport, V1Inputs, V1Outputs } from "./schema";
import { optedOutInOu, optedOutInOuMessage, readExposure, skipMessage } from "./hazards";
import { compareWizardConfig, otherOuExplanation, wizardInstructions } from "./wizardSteps";

export class WritebackOrderError extends Error {
  override readonly name = "WritebackOrderError";
}

async function refuseWithoutV2(client: EntraConnectClient, inputs: V1Inputs): Promise<void> {
  if (!inputs.requireV2) return;
  const features = await client.call("getCompanyFeatures", {});
  if (!features.groupWritebackV2) {
    throw new WritebackOrderError(
      `refusing group writeback v1 on ${client.description}: GroupWritebackV2 is off. Microsoft's documented order ` +
        "is v2 first, then v1; with v1 alone EVERY Microsoft 365 group is written back to Active Directory. " +
        "Enable v2 first (a GroupWritebackFeature with version v2, which the GroupWriteback component creates), or " +
        "set entra-writeback:groupWritebackV2 to skip if you accept v1-only writeback. Do not run the wizard step yet.",
    );
  }
}

/** With v2 skipped and off: what v1 alone will write back, with the tenant's counts; null otherwise. */
export async function skipWarning(client: EntraConnectClient, requireV2: boolean): Promise<string | null> {
  if (requireV2) return null;
  const features = await client.call("getCompanyFeatures", {});
  if (features.groupWritebackV2) return null;
  return skipMessage(await readExposure(client, null));
}

async function waitForWizard(client: EntraConnectClient, inputs: V1Inputs, progress: Progress) {
  const server = (await client.call("getServerInfo", {})).computerName;
  let live = await client.call("getGroupWritebackV1Config", {});
  let gap = compareWizardConfig(inputs, live);
  if (gap.done) return live;
  if (gap.otherOuConfigured) throw new Error(otherOuExplanation(server, inputs, live));
  const warning = await skipWarning(client, inputs.requireV2);
  const hint = client.wizardHint({
    writebackOu: inputs.writebackOu,
    displayNameDn: inputs.dnFormat === "displayName",
  });
  const { value, waited } = await waitForWizardStep(
    client,
    {
      server,
      instructions: wizardInstructions(server, inputs, gap, warning, hint),
      waitSeconds: inputs.wizardWaitSeconds,
      pollSeconds: inputs.wizardPollSeconds,
      poll: async () => {
        await refuseWithoutV2(client, inputs);
        live = await client.call("getGroupWritebackV1Config", {});
        gap = compareWizardConfig(inputs, live);
        if (gap.done) return live;
        if (gap.otherOuConfigured) throw new Error(otherOuExplanation(server, inputs, live));
        return undefined;
      },
      lastInstructions: () => wizardInstructions(server, inputs, gap, warning, hint),
    },
    progress,
  );
  progress(`the wizard step is done on ${server} (after ${waited} s)`);
  return value;
}

type Observed = Pick<
  V1Outputs,
  "writtenBackGroupCount" | "pendingExports" | "pendingManualSteps" | "optedOutGroupsInOu" | "needsAttention"
>;

/** Opted-out groups in the OU beyond what a person acknowledged: the stack is not converged. */
export function unacknowledgedOptedOut(
  outputs: Partial<Pick<V1Outputs, "optedOutGroupsInOu">>,
  acknowledged: number | undefined,
): boolean {
  const count = outputs.optedOutGroupsInOu?.count ?? 0;
  return count > (acknowledged ?? 0);
}

async function observeResult(
  client: EntraConnectClient,
  inputs: V1Inputs,
  configured: boolean,
): Promise<Observed> {
  // With v2 managed, opted-out groups in the OU are groups the current rules would not write back. The same read
  // counts the written-back groups; listWrittenBackGroups only when it was not made or could not be.
  const exposure = inputs.requireV2 && configured ? await readExposure(client, inputs.writebackOu) : null;
  const optedOutGroupsInOu = exposure ? optedOutInOu(exposure) : null;
  const writtenBackGroupCount =
    exposure?.ok && exposure.counts.inOu
      ? exposure.counts.inOu.writtenBack
      : (
          await client
            .call("listWrittenBackGroups", { dn: inputs.writebackOu })
            // An OU that does not exist (yet) holds no written-back groups; any other failure is reported.
            .catch((error: unknown) => {
              if (isOperationError(error, "NotFound")) return { groups: [] };
              throw error;
            })
        ).groups.length;
  const needsAttention =
    optedOutGroupsInOu && unacknowledgedOptedOut({ optedOutGroupsInOu }, inputs.acknowledgedOptedOutGroups)
      ? [optedOutInOuMessage(inputs.writebackOu, optedOutGroupsInOu, inputs.acknowledgedOptedOutGroups)]
      : [];
  const common = { writtenBackGroupCount, optedOutGroupsInOu, needsAttention };
  if (inputs.role !== "staging") {
    return { ...common, pendingExports: null, pendingManualSteps: [] };
  }
  const { exports } = await client.call("listPendingExports", { dn: inputs.writebackOu });
  const report: PendingExportsReport = {
    adds: exports.filter((e) => e.modification === "add").length,
    updates: exports.filter((e) => e.modification === "update").length,
    deletes: exports.filter((e) => e.modification === "delete").length,
    objects: exports,
  };
  return {
    ...common,
    pendingExports: report,
    pendingManualSteps: [
      `Review the pending exports (${report.adds} adds, ${report.updates} updates, ${report.deletes} deletes): they are ` +
        "what this server writes into Active Directory once it is active.",
      "Then switch servers as docs/swing-migration.md describes: the active server to staging first, then this one to active.",
    ],
  };
}

export async function convergeV1(
  client: EntraConnectClient,
  inputs: V1Inputs,
  progress: Progress,
): Promise<V1Outputs> {
  await refuseWithoutV2(client, inputs);
  const live = await waitForWizard(client, inputs, progress);
  // The wizard starts a full cycle: report its result, not the state before it.
  await waitForSyncIdle(client, { timeoutSeconds: inputs.syncIdleTimeoutSeconds, progress });
  if (inputs.role === "staging") {
    // A staging server imports and synchronizes but exports nothing: a full cycle makes its pending
    // exports the complete picture of what it would write into AD once active.
    progress(
      `staging: running an Initial sync cycle on ${client.description} to compute the pending exports`,
    );
    await client.call("startSyncCycle", { policyType: "Initial" });
    await waitForSyncIdle(client, { timeoutSeconds: inputs.syncIdleTimeoutSeconds, progress });
  }
  const configured = live.unifiedGroupWriteback && live.optionalFeatureGroupWriteBack;
  const observed = await observeResult(client, inputs, configured);
  for (const attention of observed.needsAttention) progress(attention);
  return {
    ...inputs,
    configured,
    containerDn: live.containerDn,
    displayNameDn: live.displayNameDn,
    ...observed,
  };
}

export async function readV1(client: EntraConnectClient, olds: V1Outputs): Promise<V1Outputs> {
  const live = await client.call("getGroupWritebackV1Config", {});
  const configured = live.unifiedGroupWriteback && live.optionalFeatureGroupWriteBack;
  // State written by earlier versions lacks the newer inputs: read them with their defaults.
  const inputs = { ...olds, acknowledgedOptedOutGroups: olds.acknowledgedOptedOutGroups ?? 0 };
  return {
    ...inputs,
    configured,
    containerDn: live.containerDn,
    displayNameDn: live.displayNameDn,
    ...(await observeResult(client, inputs, configured)),
  };
}

/** Drift of v1: the wizard's live configuration differs from what the stack declares. */
export function v1Drifted(olds: Partial<V1Outputs>, news: Partial<V1Inputs>): boolean {
  if (olds.configured === undefined) return false;
  return (
    !olds.configured ||
    !sameDn(olds.containerDn ?? null, news.writebackOu ?? null) ||
    olds.displayNameDn !== (news.dnFormat === "displayName")
  );
}

export function deleteV1(client: EntraConnectClient, progress: Progress): void {
  progress(
    `group writeback v1 stays configured on ${client.description}: disabling it (wizard only) deletes every ` +
      "written-back group from Active Directory on the next cycle, so entra-writeback never does it. Disable it in " +
      "the wizard yourself if you mean to.",
  );
}
