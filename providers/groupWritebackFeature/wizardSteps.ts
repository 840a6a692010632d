// The v1 step that cannot be automated: what an admin must do in the Entra Connect wizard.
import type { GroupWritebackV1Config } from "../../contract/contract";
import { sameDn } from "../common/dn";
import type { V1Inputs } from "./schema";

export interface WizardGap {
  /** True when the wizard step is done exactly as declared. */
  done: boolean;
  /** What differs, one line each. */
  differences: string[];
  /** The wizard has group writeback on with another OU: only a person can change that. */
  otherOuConfigured: boolean;
}

export function compareWizardConfig(inputs: V1Inputs, live: GroupWritebackV1Config): WizardGap {
  const differences: string[] = [];
  const wantDisplayName = inputs.dnFormat === "displayName";
  const enabled = live.unifiedGroupWriteback && live.optionalFeatureGroupWriteBack;
  if (!live.unifiedGroupWriteback)
    differences.push("UnifiedGroupWriteback (Get-ADSyncAADCompanyFeature) is False");
  if (!live.optionalFeatureGroupWriteBack)
    differences.push("Microsoft.OptionalFeature.GroupWriteBack is False");
  if (!sameDn(live.containerDn, inputs.writebackOu)) {
    differences.push(
      `Connector.GroupWriteBackContainerDn is ${live.containerDn ?? "(not set)"}, not ${inputs.writebackOu}`,
    );
  }
  if (live.displayNameDn !== wantDisplayName) {
    differences.push(
      `the display-name DN option is ${live.displayNameDn ? "selected" : "cleared"}, but dnFormat is ${inputs.dnFormat}`,
    );
  }
  const otherOuConfigured =
    enabled &&
    live.containerDn !== null &&
    (!sameDn(live.containerDn, inputs.writebackOu) || live.displayNameDn !== wantDisplayName);
  return { done: differences.length === 0, differences, otherOuConfigured };
}

/**
 * `warning`: what enabling v1 now will cause, said before the steps (groupWritebackV2 skip). `hint`: the
 * backend's own line on how to do the step on its server (EntraConnectClient.wizardHint), last.
 */
export function wizardInstructions(
  server: string,
  inputs: V1Inputs,
  gap: WizardGap,
  warning: string | null = null,
  hint: string | undefined = undefined,
): string {
  const checkbox =
    inputs.dnFormat === "displayName"
      ? 'SELECT "Writeback group Distinguished Name with cloud Display Name" (it can only be chosen now)'
      : 'leave "Writeback group Distinguished Name with cloud Display Name" CLEARED (it can only be chosen now)';
  const lines = [
    `Group writeback (v1) is not configured on ${server} as this stack declares:`,
    ...gap.differences.map((difference) => `  - ${difference}`),
    ...(warning ? [`BEFORE YOU DO THE WIZARD STEP: ${warning}`] : []),
    `Group writeback v1 can only be enabled in the Microsoft Entra Connect wizard. On ${server}:`,
    "  1. Open Microsoft Entra Connect > Configure > Customize synchronization options > Next.",
    "  2. Connect to Microsoft Entra ID (Hybrid Identity Administrator) > Next, up to Optional features.",
    '  3. Optional features: select "Group writeback" > Next.',
    `  4. Group writeback: choose the OU ${inputs.writebackOu}`,
    `  5. On the same page, ${checkbox}.`,
    "  6. Next > Configure > Exit. The wizard starts a full sync cycle.",
  ];
  if (hint) lines.push(hint);
  return lines.join("\n");
}

export function otherOuExplanation(server: string, inputs: V1Inputs, live: GroupWritebackV1Config): string {
  return [
    `Group writeback (v1) on ${server} writes to ${live.containerDn ?? "(unknown)"} with the ` +
      `${live.displayNameDn ? "display-name" : "objectId"} DN format, but this stack declares ${inputs.writebackOu} ` +
      `with ${inputs.dnFormat}.`,
    "Entra Connect cannot change the writeback OU or DN format in place: a person must disable group writeback in the " +
      "wizard, which DELETES every written-back group from Active Directory on the next sync cycle, then enable it " +
      "again with the new OU. entra-writeback will not do that for you.",
    "If the live configuration is the one you want, set entra-writeback:writebackOu and dnFormat to match it.",
  ].join("\n");
}
