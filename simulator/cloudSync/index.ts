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
export {
  CLOUD_SYNC_APPLICATION_TEMPLATE_ID,
  CLOUD_SYNC_INTERVAL_SECONDS,
  DEFAULT_CN_EXPRESSION,
  DEFAULT_DELETE_THRESHOLD,
  GROUP_PROVISIONING_TEMPLATE_ID,
  GROUP_SCOPE_APP_ROLE_IDS,
  MATCHING_ATTRIBUTE,
  MAX_GROUP_MEMBERS,
  ON_DEMAND_CALLS_PER_WINDOW,
  ON_DEMAND_MAX_MEMBERS,
  THIRD_PARTY_GROUP_PROVISIONING_TEMPLATE_ID,
} from "./defaults";
export { CLOUD_SYNC_JOURNAL_SERVER, ensureCloudSync, externalId, runJobCycle } from "./engine";
export { SUPPORTED_FUNCTIONS, SOURCE_ATTRIBUTES } from "./expressions";
export type { CloudSyncState, CloudUser, CycleReport, SynchronizationJob } from "./model";
