// Cloud Sync group provisioning to Active Directory (docs/cloud-sync.md): four resources on one configuration (the
// service principal and job of one AD domain), each owning one part, so that drift shows on the part that drifted:
// - CloudSyncConfiguration: the service principal and the AAD2ADGroupProvisioning job (created or adopted), and the
//   secrets the stack manages (Domain, SyncNotificationSettings with the delete threshold);
// - CloudSyncMappings: the three group mappings the stack manages in the job's schema;
// - CloudSyncScope: the selected security groups (app role assignments to the service principal);
// - CloudSyncJob: running or paused, status, quarantine and its explicit release, the on-demand smoke test.
import { z } from "zod";
import {
  CLOUD_SYNC_APPLICATION_TEMPLATE,
  DEFAULT_DELETE_THRESHOLD,
  LIMITS,
  SCOPING_OPERATORS,
  SCOPING_OPERATORS_WITH_VALUE,
} from "../../domain/cloudSync";
import { defineResource } from "../common/defineResource";
import { commonInputs } from "../common/inputs";

const guid = (what: string) => z.guid({ message: `${what} must be a GUID` });

/** An AD DNS domain name, e.g. contoso.com. */
export const adDomain = z
  .string()
  .trim()
  .regex(/^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/, {
    message: "domain must be the AD domain's DNS name, such as contoso.com",
  });

const email = z.email({ message: "each recipient must be an email address" });

export const notificationSettings = z.strictObject({
  /** Email the recipients when the job is quarantined (SyncNotificationSettings Enabled). */
  enabled: z.boolean().default(false),
  recipients: z.array(email).default([]),
});

/** What the group scope checks need before anything is created (the component passes the selected groups). */
export const scopePreflight = z.strictObject({
  groupIds: z.array(guid("each group id")),
});

export const cloudSyncConfigurationInputs = z.strictObject({
  providerVersion: commonInputs.providerVersion,
  /** The AD domain (the Domain secret, and the service principal's display name as the portal names it). */
  domain: adDomain,
  /** The application template the service principal is made from (verified to offer AAD2ADGroupProvisioning). */
  applicationTemplateId: guid("applicationTemplateId").default(CLOUD_SYNC_APPLICATION_TEMPLATE),
  /** Hold back a cycle's deletes when there are this many or more (Microsoft's default 500). */
  deleteThreshold: z.number().int().min(1).max(1_000_000).default(DEFAULT_DELETE_THRESHOLD),
  /** false turns the delete threshold off (every delete goes through). */
  deleteThresholdEnabled: z.boolean().default(true),
  notifications: notificationSettings.default({ enabled: false, recipients: [] }),
  /**
   * "All security groups" (the secret SyncAll, UNVERIFIED for Cloud Sync): true or false is written and compared;
   * absent: the stack leaves SyncAll as it finds it.
   */
  syncAll: z.boolean().optional(),
  /** On destroy: `retain` leaves the configuration; `deleteJob` deletes the job (provisioning stops, AD keeps the groups). */
  onDelete: z.enum(["retain", "deleteJob"]).default("retain"),
  /** Checked before the first change (not compared in diff): the groups CloudSyncScope will assign. */
  scopePreflight: scopePreflight.optional(),
  /** How many 404 answers (directory replication) to wait out after creating the service principal or the job. */
  replicationAttempts: z.number().int().min(1).max(30).default(8),
});
export type CloudSyncConfigurationInputs = z.output<typeof cloudSyncConfigurationInputs>;

export const cloudSyncConfigurationOutputs = cloudSyncConfigurationInputs.extend({
  servicePrincipalId: z.string(),
  /** The application object of a service principal this resource instantiated; null when adopted. */
  applicationId: z.string().nullable(),
  jobId: z.string(),
  /** The configuration existed (service principal and job) and was adopted, not created. */
  adopted: z.boolean(),
  /** What this stack cannot check or do itself, and what to check by hand. */
  prerequisites: z.array(z.string()),
});
export type CloudSyncConfigurationOutputs = z.output<typeof cloudSyncConfigurationOutputs>;

export const cloudSyncConfiguration = defineResource(
  "CloudSyncConfiguration",
  cloudSyncConfigurationInputs,
  cloudSyncConfigurationOutputs,
);

/** A mapping's source as the stack declares it and reads it back. */
export const mappingSource = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("Constant"), value: z.string().min(1) }),
  z.strictObject({ type: z.literal("Expression"), expression: z.string().min(1) }),
]);

/** One clause of a scoping filter: a group attribute, a documented operator, and a value where the operator compares. */
export const scopingClause = z
  .strictObject({
    attribute: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, {
      message: "attribute must be a group attribute name such as displayName or extension_<appId>_GroupDN",
    }),
    operator: z.enum(SCOPING_OPERATORS, {
      message: `operator must be one of ${SCOPING_OPERATORS.join(", ")} (Microsoft's scoping operators)`,
    }),
    value: z.string().nullable().default(null),
  })
  .superRefine((clause, context) => {
    const needsValue = SCOPING_OPERATORS_WITH_VALUE.includes(clause.operator);
    if (needsValue && clause.value === null)
      context.addIssue({
        code: "custom",
        path: ["value"],
        message: `${clause.operator} on ${clause.attribute} needs a value to compare with`,
      });
    if (!needsValue && clause.value !== null)
      context.addIssue({
        code: "custom",
        path: ["value"],
        message: `${clause.operator} on ${clause.attribute} takes no value; remove it`,
      });
    if (clause.operator.includes("REGEX") && clause.value !== null) {
      try {
        new RegExp(clause.value);
      } catch {
        context.addIssue({
          code: "custom",
          path: ["value"],
          message: `${clause.value} is not a valid regular expression`,
        });
      }
    }
    if (
      clause.operator.startsWith("GREATER") &&
      clause.value !== null &&
      !Number.isFinite(Number(clause.value))
    )
      context.addIssue({
        code: "custom",
        path: ["value"],
        message: `${clause.operator} compares numbers: ${JSON.stringify(clause.value)} is not a number`,
      });
  });

/** A scoping filter: its clauses are ANDed; several filters are ORed (Microsoft). */
export const scopingFilter = z.strictObject({
  clauses: z.array(scopingClause).min(1, { message: "a filter needs at least one clause" }),
});

export const cloudSyncMappingsInputs = z.strictObject({
  providerVersion: commonInputs.providerVersion,
  servicePrincipalId: z.string().min(1),
  jobId: z.string().min(1),
  /** Where groups go: a constant DN or a Switch() expression over the routing attribute. */
  parentDistinguishedName: mappingSource,
  /** The group's name (its RDN). */
  cn: mappingSource,
  /** null: not mapped (AD gives each new group a random sAMAccountName). */
  sAMAccountName: mappingSource.nullable().default(null),
  /**
   * The group object mapping's scoping filter (applied on top of the scope: selected groups or all security groups);
   * [] removes it; null: not managed (left as the schema has it).
   */
  scopingFilter: z.array(scopingFilter).nullable().default(null),
  /**
   * true: a changed cn or parentDistinguishedName, or a new sAMAccountName, is written even though the job has
   * provisioned groups (it renames or moves every one of them on its next cycle); false (default): refused.
   * Not compared in diff.
   */
  allowRenameOrMove: z.boolean().default(false),
});
export type CloudSyncMappingsInputs = z.output<typeof cloudSyncMappingsInputs>;

export const cloudSyncMappingsOutputs = cloudSyncMappingsInputs.extend({
  /** The object mapping the managed mappings live in (by name, as the schema calls it). */
  objectMapping: z.string(),
  /**
   * The three mappings as the stack last wrote them (kept by refresh): writing them again repairs a change made
   * outside the stack; anything else renames or moves (allowRenameOrMove). Absent in state of earlier versions.
   */
  lastDeclared: z
    .strictObject({
      parentDistinguishedName: mappingSource,
      cn: mappingSource,
      sAMAccountName: mappingSource.nullable(),
    })
    .optional(),
});
export type CloudSyncMappingsOutputs = z.output<typeof cloudSyncMappingsOutputs>;

export const cloudSyncMappings = defineResource(
  "CloudSyncMappings",
  cloudSyncMappingsInputs,
  cloudSyncMappingsOutputs,
);

export const cloudSyncScopeInputs = z.strictObject({
  providerVersion: commonInputs.providerVersion,
  servicePrincipalId: z.string().min(1),
  /** The selected security groups (object ids); sorted, each once. */
  groupIds: z
    .array(guid("each group id"))
    .max(LIMITS.selectedGroups, {
      message: `at most ${LIMITS.selectedGroups.toLocaleString("en-US")} groups can be selected (Microsoft's limit for selected security groups)`,
    })
    .transform((ids) => [...new Set(ids.map((id) => id.toLowerCase()))].sort()),
  /** The app role of the scope assignment; null: the documented one of the cloud of entra-writeback:graph.graphEndpoint. */
  appRoleId: guid("appRoleId").nullable().default(null),
});
export type CloudSyncScopeInputs = z.output<typeof cloudSyncScopeInputs>;

export const cloudSyncScopeOutputs = cloudSyncScopeInputs.extend({
  /** The app role the assignments use (appRoleId, or the cloud's). */
  scopeAppRoleId: z.string(),
  /** Direct members of the selected groups, in all (at most 250,000). */
  memberCount: z.number().int().nonnegative(),
  /** The groups the last apply assigned (a refresh keeps this): one gone from Entra ID since is left out, not refused. */
  appliedGroupIds: z.array(z.string()).default([]),
});
export type CloudSyncScopeOutputs = z.output<typeof cloudSyncScopeOutputs>;

export const cloudSyncScope = defineResource("CloudSyncScope", cloudSyncScopeInputs, cloudSyncScopeOutputs);

export const cloudSyncJobInputs = z.strictObject({
  providerVersion: commonInputs.providerVersion,
  servicePrincipalId: z.string().min(1),
  jobId: z.string().min(1),
  /** running: started (provisioning every 40 minutes); paused. Read back as running, paused or quarantined. */
  state: z.enum(["running", "paused"]).default("running"),
  /**
   * Releases one TooManyDeletes quarantine: the exact value the stack printed (`TooManyDeletes@<when it began>`), so
   * a later quarantine is never released by a value left in the configuration.
   */
  releaseQuarantine: z.string().min(1).nullable().default(null),
  /** A group provisioned on demand once after the job starts (a smoke test; 5 calls per 10 s at most). */
  provisionOnDemandGroupId: guid("provisionOnDemandGroupId").nullable().default(null),
});
export type CloudSyncJobInputs = z.output<typeof cloudSyncJobInputs>;

export const cloudSyncJobOutputs = cloudSyncJobInputs.extend({
  /** The live state: a quarantined job shows as a change back to the declared state. */
  state: z.enum(["running", "paused", "quarantined"]),
  /** status.code: NotConfigured, NotRun, Active, Paused or Quarantine. */
  statusCode: z.string(),
  quarantineReason: z.string().nullable(),
  /** When the quarantine series began (null when not quarantined). */
  quarantineSince: z.string().nullable(),
  /** For a TooManyDeletes quarantine: the value of releaseQuarantine that releases it. */
  quarantineRelease: z.string().nullable(),
  /** status.synchronizedEntryCountByType, by type. */
  synchronizedCounts: z.record(z.string(), z.number()),
  /** The last provisionOnDemand smoke test: the group and the result Microsoft Graph gave. */
  smokeTest: z.strictObject({ groupId: z.string(), result: z.string() }).nullable(),
  /** What needs a person (empty when nothing does). */
  needsAttention: z.array(z.string()),
});
export type CloudSyncJobOutputs = z.output<typeof cloudSyncJobOutputs>;

export const cloudSyncJob = defineResource("CloudSyncJob", cloudSyncJobInputs, cloudSyncJobOutputs);
