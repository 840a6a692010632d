import type { ArgsOf } from "../common/defineResource";
import { resourceClass } from "../common/shell";
import { syncRule } from "./schema";

export type SyncRuleArgs = ArgsOf<typeof syncRule.inputs>;

/**
 * One synchronization rule on the Entra Connect server, changed inside a scheduler pause window: a custom rule
 * declared whole (`definition`), or an existing rule (Connect's own) enabled or disabled by `name`.
 */
export const SyncRule = resourceClass(syncRule);
export type SyncRule = InstanceType<typeof SyncRule>;
