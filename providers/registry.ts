// What the serialized provider shells load in the provider process (see providers/common/shell.ts).
import type { ProviderImplementation as Implementation } from "./common/defineResource";
import type { ProviderKind } from "./common/shell";
import { cloudSyncMigrationStepProvider } from "./cloudSyncMigration/provider";
import { cloudSyncMigrationStep } from "./cloudSyncMigration/schema";
import { groupWritebackFeatureProvider } from "./groupWritebackFeature/provider";
import { groupWritebackFeature } from "./groupWritebackFeature/schema";
import { schedulerStateProvider } from "./schedulerState/provider";
import { schedulerState } from "./schedulerState/schema";
import { syncRuleProvider } from "./syncRule/provider";
import { syncRule } from "./syncRule/schema";
import { unifiedGroupWritebackDefaultProvider } from "./unifiedGroupWritebackDefault/provider";
import { unifiedGroupWritebackDefault } from "./unifiedGroupWritebackDefault/schema";
import { writebackOuProvider } from "./writebackOu/provider";
import { writebackOu } from "./writebackOu/schema";
import { writebackPermissionProvider } from "./writebackPermission/provider";
import { writebackPermission } from "./writebackPermission/schema";
import { cloudSyncConfigurationProvider } from "./cloudSync/configuration";
import { cloudSyncJobProvider } from "./cloudSync/job";
import { cloudSyncMappingsProvider } from "./cloudSync/mappings";
import { cloudSyncConfiguration, cloudSyncJob, cloudSyncMappings, cloudSyncScope } from "./cloudSync/schema";
import { cloudSyncScopeProvider } from "./cloudSync/scope";

export { configureProviders } from "./common/connection";

type Upgrade = (stored: Record<string, unknown>) => Record<string, unknown>;

/**
 * Each resource definition (schema.ts) with its implementation (provider.ts), keyed by the definition's kind. What
 * the engine hands back from state (olds, props) is first upgraded to today's keys (ResourceDefinition.upgrade).
 */
const implementations = Object.fromEntries(
  (
    [
      [schedulerState, schedulerStateProvider],
      [groupWritebackFeature, groupWritebackFeatureProvider],
      [writebackOu, writebackOuProvider],
      [writebackPermission, writebackPermissionProvider],
      [unifiedGroupWritebackDefault, unifiedGroupWritebackDefaultProvider],
      [cloudSyncMigrationStep, cloudSyncMigrationStepProvider],
      [cloudSyncConfiguration, cloudSyncConfigurationProvider],
      [cloudSyncMappings, cloudSyncMappingsProvider],
      [cloudSyncScope, cloudSyncScopeProvider],
      [cloudSyncJob, cloudSyncJobProvider],
      [syncRule, syncRuleProvider],
    ] as const
  ).map(([definition, implementation]) => [
    definition.kind,
    upgradingStored(implementation, (stored) => definition.upgrade(stored)),
  ]),
) as Record<ProviderKind, Implementation>;

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
    found = plainErrors(kind, implementations[kind]);
    plain.set(kind, found);
  }
  return found;
}
