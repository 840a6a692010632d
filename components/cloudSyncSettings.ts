// What a stack declares for Cloud Sync group provisioning to one AD domain (stack key entra-writeback:cloudSync, and
// the CloudSyncGroupProvisioning component's args). Each value reuses the schema of the resource input it becomes
// (providers/cloudSync/schema.ts), so its rule and default live there; this file adds the stack-level shape (the
// target OU as a DN or routing rules, the naming by name) and how it becomes the mappings.
import { z } from "zod";
import { distinguishedName } from "../contract/contract";
import { isAtOrBelow, dnKey, domainDnFromDnsName } from "../domain/dn";
import { type MappingSource, NAMING_EXPRESSIONS, routingExpression } from "../domain/cloudSync";
import {
  adDomain,
  cloudSyncConfigurationInputs,
  cloudSyncJobInputs,
  cloudSyncMappingsInputs,
  cloudSyncScopeInputs,
  scopingFilter,
} from "../providers/cloudSync/schema";

const configuration = cloudSyncConfigurationInputs.shape;
const job = cloudSyncJobInputs.shape;

/** Several OUs: Switch([attribute], defaultOu, value1, ou1, ...), as Microsoft documents for parentDistinguishedName. */
export const ouRouting = z.strictObject({
  /** The group attribute to route by, e.g. a directory extension (Microsoft calls displayName "a weak routing key"). */
  attribute: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, {
    message: "attribute must be a group attribute name such as extension_<appId>_GroupDN or displayName",
  }),
  routes: z.array(z.strictObject({ value: z.string().min(1), ou: distinguishedName })).min(1),
  /** Groups whose attribute matches no route. */
  defaultOu: distinguishedName,
});

/**
 * "All security groups" with attribute filters: every cloud security group the filters select (Microsoft requires at
 * least one attribute filter for this mode's limits: 20,000 groups, 500,000 members).
 */
export const allSecurityGroups = z.strictObject({
  /** Clauses of one filter are ANDed; filters are ORed. */
  filters: z.array(scopingFilter).min(1, {
    message:
      "all security groups needs at least one attribute filter (Microsoft supports this mode with at least one filter); to provision chosen groups, use groupIds instead",
  }),
});

export const cloudSyncSettingsObject = z.strictObject({
  /** The AD domain (DNS name); one configuration per domain. */
  domain: adDomain,
  /** Where the groups go: one OU (a DN), or routing rules. */
  targetOu: z.union([distinguishedName, ouRouting]),
  /** cloudSync: `<display name>_<last 12 of objectId>`; connect: `Group_<objectId>` (Connect Sync's default). */
  naming: z.enum(["cloudSync", "connect"]).default("cloudSync"),
  /** The sAMAccountName mapping expression; null: unmapped (AD gives new groups random names). */
  samAccountName: z.string().min(1).nullable().default(null),
  /** The selected security groups, by object id (none: nothing is provisioned). */
  groupIds: cloudSyncScopeInputs.shape.groupIds.default([]),
  /** "All security groups" with attribute filters instead of selected groups; null: the selected groups (groupIds). */
  allSecurityGroups: allSecurityGroups.nullable().default(null),
  deleteThreshold: configuration.deleteThreshold,
  deleteThresholdEnabled: configuration.deleteThresholdEnabled,
  notifications: configuration.notifications,
  jobState: job.state,
  releaseQuarantine: job.releaseQuarantine,
  provisionOnDemandGroupId: job.provisionOnDemandGroupId,
  applicationTemplateId: configuration.applicationTemplateId,
  appRoleId: cloudSyncScopeInputs.shape.appRoleId,
  deleteJobOnDestroy: z.boolean().default(false),
  /** true: a changed naming, targetOu or samAccountName may rename or move the groups the job provisioned. */
  allowRenameOrMove: cloudSyncMappingsInputs.shape.allowRenameOrMove,
});

/** The target OUs outside the domain (each a message); the groups can only go to OUs of the configured domain. */
export function ousOutsideDomain(
  domain: string,
  targetOu: z.output<typeof cloudSyncSettingsObject.shape.targetOu>,
): string[] {
  const root = domainDnFromDnsName(domain);
  const ous =
    typeof targetOu === "string"
      ? [targetOu]
      : [targetOu.defaultOu, ...targetOu.routes.map((route) => route.ou)];
  return ous
    .filter((ou) => ou !== root && !isAtOrBelow(dnKey(ou), dnKey(root)))
    .map((ou) => `${ou} is not in the domain ${domain} (${root})`);
}

/** The scope is either the selected groups or all security groups with filters: a message when both are declared. */
export function scopeModeConflict(groupIds: readonly string[], all: AllSecurityGroups | null): string | null {
  if (all === null || groupIds.length === 0) return null;
  return (
    `groupIds selects ${groupIds.length} group(s) while allSecurityGroups selects every security group its filters ` +
    "match: declare one of them (remove groupIds for all security groups, or allSecurityGroups for selected groups)"
  );
}
export type AllSecurityGroups = z.output<typeof allSecurityGroups>;

export const cloudSyncSettings = cloudSyncSettingsObject.superRefine((settings, context) => {
  for (const message of ousOutsideDomain(settings.domain, settings.targetOu))
    context.addIssue({ code: "custom", path: ["targetOu"], message });
  const conflict = scopeModeConflict(settings.groupIds, settings.allSecurityGroups);
  if (conflict !== null) context.addIssue({ code: "custom", path: ["allSecurityGroups"], message: conflict });
});
export type CloudSyncSettings = z.output<typeof cloudSyncSettings>;
export type CloudSyncSettingsInput = z.input<typeof cloudSyncSettings>;

/** The parentDistinguishedName mapping of a target OU. */
export function targetOuMapping(targetOu: CloudSyncSettings["targetOu"]): MappingSource {
  if (typeof targetOu === "string") return { type: "Constant", value: targetOu };
  return {
    type: "Expression",
    expression: routingExpression(targetOu.attribute, targetOu.defaultOu, targetOu.routes),
  };
}

export function cnMapping(naming: CloudSyncSettings["naming"]): MappingSource {
  return { type: "Expression", expression: NAMING_EXPRESSIONS[naming] };
}

export function samAccountNameMapping(expression: string | null): MappingSource | null {
  return expression === null ? null : { type: "Expression", expression };
}
