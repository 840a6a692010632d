// The simulator's public surface: what providers, tests and the entra-sim CLI use.
export { createSimulatorBackend, type SimulatorBackendOptions } from "./backend";
export {
  type ActionMeta,
  addCloudGroup,
  addFault,
  addServer,
  advance,
  callOperation,
  clearFaults,
  findCloudGroup,
  initState,
  type InitSummary,
  runAction,
  runOperation,
  setSchedulerSuspended,
  startBusyCycle,
  updateCloudGroup,
  setGroupExternalDirectoryObjectId,
  wizardDisableGroupWriteback,
  wizardEnableGroupWriteback,
  wizardSetStagingMode,
} from "./admin";
export { advanceClock, currentTimeMs, formatTimeSpan, parseTimeSpan } from "./clock";
export { canonicalDn, dnKey, escapeDnValue, parseDn, parentDn } from "../domain/dn";
export { accessRulesFor, groupExportRights, isInSyncScope } from "./directory";
export { type JournalEntry, readJournal } from "./journal";
export type { AdObject, CloudGroup, Server, SimState } from "./model";
export { STATE_SCHEMA_VERSION, stateSchema } from "./model";
export {
  applyOperation,
  compareVersions,
  findServer,
  GROUP_WRITEBACK_V2_MIN_VERSION,
  type RunOutcome,
  type RunRequest,
  SCHEDULER_ALREADY_SUSPENDED,
  schedulerView,
  SYNC_ALREADY_RUNNING,
} from "./operations";
export { type InitOptions, suggestedWritebackOu } from "./seed";
export { acquireLock, lockFileFor, releaseLock, withFileLock, writeFileAtomic } from "./fileLock";
export { StateFileError } from "./store";
export { computeGroupChanges, effectiveIntervalSeconds, groupsNotWrittenBack } from "./syncCycle";
export { readState, type Transaction, withState } from "./transaction";
export {
  decideWriteback,
  DISPLAY_NAME_DN_MAX,
  type WritebackDecision,
  writebackDn,
  type WritebackFlags,
} from "./writebackRules";
export { disableGroupWriteback, enableGroupWriteback, setStagingMode, WIZARD_BUSY_MESSAGE } from "./wizard";
