// What the serialized provider shells load in the provider process (see providers/common/shell.ts).
import type { ProviderImplementation as Implementation } from "./common/defineResource";
import type { ProviderKind } from "./common/shell";

export { configureProviders } from "./common/connection";

type Upgrade = (stored: Record<string, unknown>) => Record<string, unknown>;

/** A resource definition (schema.ts) with its implementation (provider.ts). */
type Loaded = readonly [{ kind: ProviderKind; upgrade: Upgrade }, Implementation];

/**
 * How to load each kind's definition and implementation. A provider process serves the kinds its stack declares
 * (the engine starts one per deployment, and each shell names its kind), so a kind's modules (and what they load:
 * the Cloud Sync and migration code, the Graph error types) are loaded when the engine first calls that kind, not
 * for every deployment. The imports are types only; `require` runs on first use. tests/unit/providers/lazyModules.test.ts
 * checks it.
 */
const loaders: Record<ProviderKind, () => Loaded> = {
  SchedulerState: () => [
    (require("./schedulerState/schema") as typeof import("./schedulerState/schema")).schedulerState,
    (require("./schedulerState/provider") as typeof import("./schedulerState/provider"))
      .schedulerStateProvider,
  ],
  GroupWritebackFeature: () => [
    (require("./groupWritebackFeature/schema") as typeof import("./groupWritebackFeature/schema"))
      .groupWritebackFeature,
    (require("./groupWritebackFeature/provider") as typeof import("./groupWritebackFeature/provider"))
      .groupWritebackFeatureProvider,
  ],
  WritebackOU: () => [
    (require("./writebackOu/schema") as typeof import("./writebackOu/schema")).writebackOu,
    (require("./writebackOu/provider") as typeof import("./writebackOu/provider")).writebackOuProvider,
  ],
  WritebackPermission: () => [
    (require("./writebackPermission/schema") as typeof import("./writebackPermission/schema"))
      .writebackPermission,
    (require("./writebackPermission/provider") as typeof import("./writebackPermission/provider"))
      .writebackPermissionProvider,
  ],
  UnifiedGroupWritebackDefault: () => [
    (
      require("./unifiedGroupWritebackDefault/schema") as typeof import("./unifiedGroupWritebackDefault/schema")
    ).unifiedGroupWritebackDefault,
    (
      require("./unifiedGroupWritebackDefault/provider") as typeof import("./unifiedGroupWritebackDefault/provider")
    ).unifiedGroupWritebackDefaultProvider,
  ],
  GroupWritebackOptOut: () => [
    (require("./groupWritebackOptOut/schema") as typeof import("./groupWritebackOptOut/schema"))
      .groupWritebackOptOut,
    (require("./groupWritebackOptOut/provider") as typeof import("./groupWritebackOptOut/provider"))
      .groupWritebackOptOutProvider,
  ],
  SyncRule: () => [
    (require("./syncRule/schema") as typeof import("./syncRule/schema")).syncRule,
    (require("./syncRule/provider") as typeof import("./syncRule/provider")).syncRuleProvider,
  ],
  CloudSyncMigrationStep: () => [
    (require("./cloudSyncMigration/schema") as typeof import("./cloudSyncMigration/schema"))
      .cloudSyncMigrationStep,
    (require("./cloudSyncMigration/provider") as typeof import("./cloudSyncMigration/provider"))
      .cloudSyncMigrationStepProvider,
  ],
  CloudSyncConfiguration: () => [
    (require("./cloudSync/schema") as typeof import("./cloudSync/schema")).cloudSyncConfiguration,
    (require("./cloudSync/configuration") as typeof import("./cloudSync/configuration"))
      .cloudSyncConfigurationProvider,
  ],
  CloudSyncMappings: () => [
    (require("./cloudSync/schema") as typeof import("./cloudSync/schema")).cloudSyncMappings,
    (require("./cloudSync/mappings") as typeof import("./cloudSync/mappings")).cloudSyncMappingsProvider,
  ],
  CloudSyncScope: () => [
    (require("./cloudSync/schema") as typeof import("./cloudSync/schema")).cloudSyncScope,
    (require("./cloudSync/scope") as typeof import("./cloudSync/scope")).cloudSyncScopeProvider,
  ],
  CloudSyncJob: () => [
    (require("./cloudSync/schema") as typeof import("./cloudSync/schema")).cloudSyncJob,
    (require("./cloudSync/job") as typeof import("./cloudSync/job")).cloudSyncJobProvider,
  ],
};

/**
 * A kind's implementation, loaded on first use. What the engine hands back from state (olds, props) is first upgraded
 * to today's keys (ResourceDefinition.upgrade).
 */
function loadImplementation(kind: ProviderKind): Implementation {
  const [definition, implementation] = loaders[kind]();
  if (definition.kind !== kind)
    throw new Error(`registry: the loader of ${kind} gave the definition of ${definition.kind}`);
  return upgradingStored(implementation, (stored) => definition.upgrade(stored));
}

function upgradingStored(implementation: Implementation, upgrade: Upgrade): Implementation {
  return {
    check: (olds, news) => implementation.check(olds && upgrade(olds), news),
    diff: (id, olds, news) => implementation.diff(id, upgrade(olds), news),
    create: (inputs) => implementation.create(inputs),
    read: (id, props) => implementation.read(id, props && upgrade(props)),
    update: (id, olds, news) => implementation.update(id, upgrade(olds), news),
    delete: (id, props) => implementation.delete(id, upgrade(props)),
  };
}

/** Programming errors keep their stack trace: a bug report needs it. */
const BUG_CLASSES = [TypeError, ReferenceError, SyntaxError, RangeError];

/**
 * The Node dynamic-provider host prints `${error}: ${error.stack}` to stderr for errors from check, diff, read and
 * delete, and the engine shows that line: a user-facing error (what is wrong and what to do) then arrives with a
 * JavaScript stack trace. This error carries the same message, and prints as "<resource> <method> failed: <message>".
 */
export function withoutStackTrace(error: unknown, what: string): unknown {
  if (!(error instanceof Error) || BUG_CLASSES.some((bug) => error instanceof bug)) return error;
  const clean = new Error(error.message, { cause: error });
  // "Created but failed to initialize" (create/update): the engine reads id, properties and reasons.
  for (const key of ["id", "properties", "reasons"] as const) {
    if (key in error) Object.assign(clean, { [key]: (error as unknown as Record<string, unknown>)[key] });
  }
  Object.defineProperty(clean, "stack", { value: error.message, enumerable: false });
  Object.defineProperty(clean, "toString", { value: () => `${what} failed`, enumerable: false });
  return clean;
}

function plainErrors(kind: ProviderKind, implementation: Implementation): Implementation {
  const wrap =
    <A extends unknown[], R>(method: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await call(...args);
      } catch (error) {
        throw withoutStackTrace(error, `${kind} ${method}`);
      }
    };
  return {
    check: wrap("check", implementation.check),
    diff: wrap("diff", implementation.diff),
    create: wrap("create", implementation.create),
    read: wrap("read", implementation.read),
    update: wrap("update", implementation.update),
    delete: wrap("delete", implementation.delete),
  };
}

const plain = new Map<ProviderKind, Implementation>();

export function implementationFor(kind: ProviderKind): Implementation {
  let found = plain.get(kind);
  if (!found) {
    found = plainErrors(kind, loadImplementation(kind));
    plain.set(kind, found);
  }
  return found;
}
