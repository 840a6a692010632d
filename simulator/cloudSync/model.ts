// Microsoft Entra Cloud Sync "Group Provision to Active Directory" as the simulator keeps it: the users the tenant
// has (only what Cloud Sync needs), the service principals made from application templates, their synchronization
// jobs, schemas and secrets, the app role assignments that put groups in scope, and the provisioning agents.
// Stored in the state database's cloud_sync table (simulator/store.ts), read only by what uses it.
import { z } from "zod";

const isoTime = z.iso.datetime();

/** A user of the tenant; onPremisesObjectIdentifier is the objectGUID of its AD account (Connect-synced users). */
export const cloudUserSchema = z.strictObject({
  objectId: z.guid(),
  displayName: z.string().min(1),
  userPrincipalName: z.string().min(1),
  onPremisesObjectIdentifier: z.guid().nullable(),
});
export type CloudUser = z.infer<typeof cloudUserSchema>;

/** One mapping's source, as the synchronization schema holds it (attributeMappingSource). */
export interface MappingSource {
  expression?: string | null;
  name?: string | null;
  type?: string;
  parameters?: unknown[];
  [other: string]: unknown;
}

/** The job schema as the client last PUT it: kept verbatim (unknown properties included), validated on PUT. */
export const synchronizationSchemaSchema = z.looseObject({
  id: z.string().optional(),
  version: z.string().optional(),
  directories: z.array(z.unknown()).optional(),
  synchronizationRules: z.array(
    z.looseObject({
      id: z.string().optional(),
      name: z.string().optional(),
      objectMappings: z.array(
        z.looseObject({
          name: z.string().optional(),
          enabled: z.boolean().optional(),
          sourceObjectName: z.string(),
          targetObjectName: z.string(),
          scope: z.unknown().optional(),
          attributeMappings: z.array(
            z.looseObject({
              targetAttributeName: z.string().min(1),
              source: z
                .looseObject({
                  expression: z.string().nullable().optional(),
                  name: z.string().nullable().optional(),
                  type: z.string().optional(),
                  parameters: z.array(z.unknown()).optional(),
                })
                .nullable()
                .optional(),
              defaultValue: z.string().nullable().optional(),
              flowType: z.string().optional(),
              matchingPriority: z.number().optional(),
            }),
          ),
        }),
      ),
    }),
  ),
});
export type SynchronizationSchema = z.infer<typeof synchronizationSchemaSchema>;

export const quarantineReason = z.enum([
  "EncounteredBaseEscrowThreshold",
  "EncounteredTotalEscrowThreshold",
  "EncounteredEscrowProportionThreshold",
  "EncounteredQuarantineException",
  "Unknown",
  "QuarantinedOnDemand",
  "TooManyDeletes",
  "IngestionInterrupted",
]);
export type QuarantineReason = z.infer<typeof quarantineReason>;

export const executionSchema = z.strictObject({
  activityIdentifier: z.string(),
  countEntitled: z.number().int(),
  countEntitledForProvisioning: z.number().int(),
  countEscrowed: z.number().int(),
  countEscrowedRaw: z.number().int(),
  countExported: z.number().int(),
  countExports: z.number().int(),
  countImported: z.number().int(),
  countImportedDeltas: z.number().int(),
  countImportedReferenceDeltas: z.number().int(),
  error: z.strictObject({ code: z.string(), message: z.string(), tenantActionable: z.boolean() }).nullable(),
  state: z.enum(["Succeeded", "Failed", "Diverted"]),
  timeBegan: isoTime,
  timeEnded: isoTime,
});
export type Execution = z.infer<typeof executionSchema>;

/** What the simulator reports about the groups a cycle did not provision (the provisioning log's skips). */
export const skippedGroupSchema = z.strictObject({
  objectId: z.string(),
  displayName: z.string(),
  reason: z.string(),
});
export type SkippedGroup = z.infer<typeof skippedGroupSchema>;

export const cycleReportSchema = z.strictObject({
  at: isoTime,
  trigger: z.enum(["schedule", "manual", "start", "schema", "restart"]),
  outcome: z.enum(["ran", "quarantined", "failed", "not-run"]),
  added: z.array(z.string()),
  updated: z.array(z.string()),
  moved: z.array(z.string()),
  deleted: z.array(z.string()),
  /** Deletes computed but held back (TooManyDeletes). */
  heldDeletes: z.number().int().nonnegative(),
  skipped: z.array(skippedGroupSchema),
  errors: z.array(z.strictObject({ objectId: z.string(), dn: z.string(), message: z.string() })),
  message: z.string().nullable(),
});
export type CycleReport = z.infer<typeof cycleReportSchema>;

export const synchronizationJobSchema = z.strictObject({
  id: z.string(),
  templateId: z.string(),
  schedule: z.strictObject({
    expiration: isoTime.nullable(),
    interval: z.string(),
    state: z.enum(["Active", "Disabled", "Paused"]),
  }),
  status: z.strictObject({
    code: z.enum(["NotConfigured", "NotRun", "Active", "Paused", "Quarantine"]),
    countSuccessiveCompleteFailures: z.number().int(),
    escrowsPruned: z.boolean(),
    lastExecution: executionSchema.nullable(),
    lastSuccessfulExecution: executionSchema.nullable(),
    lastSuccessfulExecutionWithExports: executionSchema.nullable(),
    quarantine: z
      .strictObject({
        currentBegan: isoTime,
        nextAttempt: isoTime,
        reason: quarantineReason,
        seriesBegan: isoTime,
        seriesCount: z.number().int(),
        error: z
          .strictObject({ code: z.string(), message: z.string(), tenantActionable: z.boolean() })
          .nullable(),
      })
      .nullable(),
    steadyStateFirstAchievedTime: isoTime,
    steadyStateLastAchievedTime: isoTime,
    synchronizedEntryCountByType: z.array(z.strictObject({ key: z.string(), value: z.number().int() })),
    troubleshootingUrl: z.string().nullable(),
  }),
  schema: synchronizationSchemaSchema,
  /** Simulator: when the next scheduled cycle runs (null while disabled, paused or quarantined). */
  nextRunAt: isoTime.nullable(),
  /** Simulator: restart with ForceDeletes releases the held deletes for the next cycle. */
  forceDeletes: z.boolean(),
  /** Simulator: the cloud groups this job provisioned or matched (its connector space), objectId to AD DN. */
  provisioned: z.record(z.string(), z.string()),
  /** Simulator: the last cycle's report. */
  lastCycle: cycleReportSchema.nullable(),
  /** Simulator: wall-clock time from which reads find the job (replication delay); absent: at once. */
  visibleAtWallMs: z.number().optional(),
});
export type SynchronizationJob = z.infer<typeof synchronizationJobSchema>;

export const servicePrincipalSchema = z.strictObject({
  objectId: z.guid(),
  appId: z.guid(),
  applicationObjectId: z.guid(),
  displayName: z.string().min(1),
  applicationTemplateId: z.guid(),
  createdAt: isoTime,
  /** Wall-clock time from which reads find it (simulated directory replication). */
  visibleAtWallMs: z.number(),
  secrets: z.array(z.strictObject({ key: z.string(), value: z.string() })),
  jobs: z.array(synchronizationJobSchema),
  /** Simulator: wall-clock times of recent provisionOnDemand calls (its 5 per 10 s limit). */
  onDemandCallsWallMs: z.array(z.number()),
});
export type ServicePrincipal = z.infer<typeof servicePrincipalSchema>;

export const appRoleAssignmentSchema = z.strictObject({
  id: z.string(),
  appRoleId: z.guid(),
  principalId: z.guid(),
  principalType: z.enum(["Group", "User"]),
  resourceId: z.guid(),
  createdDateTime: isoTime,
});
export type AppRoleAssignment = z.infer<typeof appRoleAssignmentSchema>;

export const provisioningAgentSchema = z.strictObject({
  id: z.guid(),
  machineName: z.string(),
  externalIp: z.string(),
  status: z.enum(["active", "inactive"]),
  /** The agent build, e.g. 1.1.2334.0. */
  version: z.string(),
  /** The AD domain it was registered for. */
  domain: z.string(),
});
export type ProvisioningAgent = z.infer<typeof provisioningAgentSchema>;

/** An application template the tenant can instantiate, and the synchronization templates its service principals get. */
export const applicationTemplateSchema = z.strictObject({
  id: z.guid(),
  displayName: z.string(),
  /** Whether a public Microsoft source ties this template to Cloud Sync's AAD2AD direction. */
  verifiedForGroupProvisioning: z.boolean(),
  synchronizationTemplates: z.array(z.string()),
});
export type ApplicationTemplate = z.infer<typeof applicationTemplateSchema>;

export const cloudSyncSchema = z.strictObject({
  settings: z.strictObject({
    /** Cloud Sync's cycle interval, in seconds (PT40M). */
    intervalSeconds: z.number().int().positive(),
    /** How long after start (or a schema, secrets or restart change of an active job) its next cycle runs. */
    startDelaySeconds: z.number().nonnegative(),
    /** How long (wall clock) a new service principal stays invisible to reads: directory replication. */
    replicationDelaySeconds: z.number().nonnegative(),
    /** The cloud whose appRoleId the service principal defines (the simulator is the public cloud). */
    cloud: z.enum(["Public", "AzureChinaCloud", "AzureUSGovernment", "AzureUSNatCloud", "AzureUSSecCloud"]),
  }),
  applicationTemplates: z.array(applicationTemplateSchema),
  users: z.array(cloudUserSchema),
  servicePrincipals: z.array(servicePrincipalSchema),
  appRoleAssignments: z.array(appRoleAssignmentSchema),
  agents: z.array(provisioningAgentSchema),
});
export type CloudSyncState = z.infer<typeof cloudSyncSchema>;
