import type { ArgsOf } from "../common/defineResource";
import { resourceClass } from "../common/shell";
import { cloudSyncConfiguration, cloudSyncJob, cloudSyncMappings, cloudSyncScope } from "./schema";

export type CloudSyncConfigurationArgs = ArgsOf<typeof cloudSyncConfiguration.inputs>;
export type CloudSyncMappingsArgs = ArgsOf<typeof cloudSyncMappings.inputs>;
export type CloudSyncScopeArgs = ArgsOf<typeof cloudSyncScope.inputs>;
export type CloudSyncJobArgs = ArgsOf<typeof cloudSyncJob.inputs>;

/**
 * The Cloud Sync configuration of one AD domain (Microsoft Graph; entra-writeback:graph): the service principal and
 * its AAD2ADGroupProvisioning job, created or adopted, and the Domain and SyncNotificationSettings secrets.
 */
export const CloudSyncConfiguration = resourceClass(cloudSyncConfiguration);
export type CloudSyncConfiguration = InstanceType<typeof CloudSyncConfiguration>;

/** The group mappings the stack manages in the job's schema: parentDistinguishedName, cn, sAMAccountName. */
export const CloudSyncMappings = resourceClass(cloudSyncMappings);
export type CloudSyncMappings = InstanceType<typeof CloudSyncMappings>;

/** The selected security groups: app role assignments to the configuration's service principal. */
export const CloudSyncScope = resourceClass(cloudSyncScope);
export type CloudSyncScope = InstanceType<typeof CloudSyncScope>;

/** The job running or paused, its status and quarantine, and the on-demand smoke test. */
export const CloudSyncJob = resourceClass(cloudSyncJob);
export type CloudSyncJob = InstanceType<typeof CloudSyncJob>;
