// CloudSyncGroupProvisioning: Cloud Sync group provisioning to one AD domain, declared as code (docs/cloud-sync.md).
// Order: the configuration (service principal, job, secrets) -> the mappings and the scope -> the job's state, so the
// job never starts before the groups' OU and names are set and the scope is applied.
import * as pulumi from "@pulumi/pulumi";
import {
  CloudSyncConfiguration,
  CloudSyncJob,
  CloudSyncMappings,
  CloudSyncScope,
} from "../providers/cloudSync/resource";
import type { MappingSource } from "../domain/cloudSync";
import {
  cloudSyncSettingsObject,
  type CloudSyncSettings,
  type CloudSyncSettingsInput,
  cnMapping,
  ousOutsideDomain,
  samAccountNameMapping,
  scopeModeConflict,
  targetOuMapping,
} from "./cloudSyncSettings";

/**
 * The component's args: the keys of entra-writeback:cloudSync (docs/configuration.md), all plain values except the
 * target OU and the selected groups, which may come from other resources (e.g. the migration's writeback OU).
 */
export type CloudSyncGroupProvisioningArgs = Omit<CloudSyncSettingsInput, "targetOu" | "groupIds"> & {
  targetOu: pulumi.Input<CloudSyncSettingsInput["targetOu"]>;
  groupIds: pulumi.Input<string[]>;
};

/** Parses the plain keys (defaults applied); the Input ones are checked when they are known. */
function plainSettings(
  args: CloudSyncGroupProvisioningArgs,
): Omit<CloudSyncSettings, "targetOu" | "groupIds"> {
  const { targetOu: _ou, groupIds: _groups, ...plain } = args;
  const parsed = cloudSyncSettingsObject.omit({ targetOu: true, groupIds: true }).safeParse(plain);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new pulumi.RunError(
      `CloudSyncGroupProvisioning: ${issue?.path.join(".") || "(args)"}: ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}

/** The target OU checked (a DN or routing rules, inside the domain) and turned into the mapping. */
function parentMapping(domain: string, raw: unknown): MappingSource {
  const parsed = cloudSyncSettingsObject.shape.targetOu.safeParse(raw);
  if (!parsed.success)
    throw new pulumi.RunError(
      `CloudSyncGroupProvisioning: targetOu: ${parsed.error.issues[0]?.message ?? "invalid"}`,
    );
  const outside = ousOutsideDomain(domain, parsed.data);
  if (outside.length > 0)
    throw new pulumi.RunError(`CloudSyncGroupProvisioning: targetOu: ${outside.join("; ")}`);
  return targetOuMapping(parsed.data);
}

export class CloudSyncGroupProvisioning extends pulumi.ComponentResource {
  readonly configuration: CloudSyncConfiguration;
  readonly mappings: CloudSyncMappings;
  readonly scope: CloudSyncScope;
  readonly job: CloudSyncJob;

  readonly servicePrincipalId: pulumi.Output<string>;
  readonly jobId: pulumi.Output<string>;
  /** running, paused or quarantined, as last read. */
  readonly jobState: pulumi.Output<string>;
  readonly statusCode: pulumi.Output<string>;
  readonly quarantineReason: pulumi.Output<string | null>;
  /** The releaseQuarantine value that releases the current TooManyDeletes quarantine. */
  readonly quarantineRelease: pulumi.Output<string | null>;
  readonly synchronizedCounts: pulumi.Output<Record<string, number>>;
  readonly needsAttention: pulumi.Output<string[]>;
  readonly prerequisites: pulumi.Output<string[]>;

  constructor(name: string, args: CloudSyncGroupProvisioningArgs, opts?: pulumi.ComponentResourceOptions) {
    super("entra-writeback:index:CloudSyncGroupProvisioning", name, {}, opts);
    const settings = plainSettings(args);
    const refuseBothModes = (ids: readonly string[]) => {
      const conflict = scopeModeConflict(ids, settings.allSecurityGroups);
      if (conflict !== null) throw new pulumi.RunError(`CloudSyncGroupProvisioning: ${conflict}`);
    };
    // Plain groups are checked now; groups from other resources when they are known.
    if (Array.isArray(args.groupIds)) refuseBothModes(args.groupIds as string[]);
    const groupIds = pulumi.output(args.groupIds).apply((ids) => {
      refuseBothModes(ids);
      return ids;
    });
    // The scope mode: the secret SyncAll and the group object mapping's scoping filter (none for selected groups).
    const allGroups = settings.allSecurityGroups;

    this.configuration = new CloudSyncConfiguration(
      `${name}-configuration`,
      {
        domain: settings.domain,
        applicationTemplateId: settings.applicationTemplateId,
        deleteThreshold: settings.deleteThreshold,
        deleteThresholdEnabled: settings.deleteThresholdEnabled,
        notifications: settings.notifications,
        syncAll: allGroups !== null,
        onDelete: settings.deleteJobOnDestroy ? "deleteJob" : "retain",
        // Microsoft's scope limits, checked before the configuration is created.
        scopePreflight: groupIds.apply((ids) => ({ groupIds: ids })),
      },
      { parent: this },
    );
    const servicePrincipalId = this.configuration.servicePrincipalId;
    const jobId = this.configuration.jobId;

    this.mappings = new CloudSyncMappings(
      `${name}-mappings`,
      {
        servicePrincipalId,
        jobId,
        parentDistinguishedName: pulumi
          .output(args.targetOu)
          .apply((ou) => parentMapping(settings.domain, ou)),
        cn: cnMapping(settings.naming),
        sAMAccountName: samAccountNameMapping(settings.samAccountName),
        scopingFilter: allGroups?.filters ?? [],
        allowRenameOrMove: settings.allowRenameOrMove,
      },
      { parent: this, dependsOn: [this.configuration] },
    );

    this.scope = new CloudSyncScope(
      `${name}-scope`,
      { servicePrincipalId, groupIds, appRoleId: settings.appRoleId },
      { parent: this, dependsOn: [this.configuration] },
    );

    this.job = new CloudSyncJob(
      `${name}-job`,
      {
        servicePrincipalId,
        jobId,
        state: settings.jobState,
        releaseQuarantine: settings.releaseQuarantine,
        provisionOnDemandGroupId: settings.provisionOnDemandGroupId,
      },
      { parent: this, dependsOn: [this.mappings, this.scope] },
    );

    this.servicePrincipalId = servicePrincipalId;
    this.jobId = jobId;
    this.jobState = this.job.state;
    this.statusCode = this.job.statusCode;
    this.quarantineReason = this.job.quarantineReason;
    this.quarantineRelease = this.job.quarantineRelease;
    this.synchronizedCounts = this.job.synchronizedCounts;
    this.needsAttention = this.job.needsAttention;
    this.prerequisites = this.configuration.prerequisites;
    this.registerOutputs({
      servicePrincipalId: this.servicePrincipalId,
      jobId: this.jobId,
      jobState: this.jobState,
      statusCode: this.statusCode,
      quarantineReason: this.quarantineReason,
      quarantineRelease: this.quarantineRelease,
      synchronizedCounts: this.synchronizedCounts,
      needsAttention: this.needsAttention,
      prerequisites: this.prerequisites,
    });
  }
}
