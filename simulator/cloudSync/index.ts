// Cloud Sync group provisioning in the simulator (docs/simulator.md, "Cloud Sync"): what tests and tools use.
export {
  addCloudUser,
  type ConfigurationInput,
  controlCloudSyncJob,
  createCloudSyncConfiguration,
  type MappingInput,
  setCloudSyncDeleteThreshold,
  setCloudSyncMapping,
  setCloudSyncScope,
  agentInputSchema,
  cloudSyncSettingsInputSchema,
  type CloudSyncJobSummary,
  readCloudSync,
  runCloudSyncAction,
  runCloudSyncCycle,
  type SeededGroup,
  seedCloudSyncGroups,
  type SeedInput,
  seededUsersOu,
  setCloudGroupMembers,
  setCloudSyncSettings,
  setProvisioningAgent,
  summarizeCloudSync,
} from "./admin";
// Microsoft's documented names, ids, expressions and limits (the template, the app role ids, the default cn, the delete
// threshold, the member limit) are imported from domain/cloudSync.ts.
export {
  CLOUD_SYNC_INTERVAL_SECONDS,
  MATCHING_ATTRIBUTE,
  ON_DEMAND_CALLS_PER_WINDOW,
  ON_DEMAND_MAX_MEMBERS,
  THIRD_PARTY_GROUP_PROVISIONING_TEMPLATE_ID,
} from "./defaults";
export { CLOUD_SYNC_JOURNAL_SERVER, ensureCloudSync, externalId, runJobCycle } from "./engine";
export { SUPPORTED_FUNCTIONS, SOURCE_ATTRIBUTES } from "./expressions";
export type { CloudSyncState, CloudUser, CycleReport, SynchronizationJob } from "./model";
