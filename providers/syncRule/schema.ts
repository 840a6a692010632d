// SyncRule: one synchronization rule on the Entra Connect server, changed inside a scheduler pause window as
// Microsoft's procedures do ("Modify Microsoft Entra Connect group writeback default behavior"). Two forms:
// - a custom rule declared whole (`definition` set): created, compared with the server on refresh, removed on
//   destroy when asked;
// - an existing rule (Connect's own, `definition` null): found by name, enabled or disabled.
import { z } from "zod";
import {
  newSyncRuleArgs,
  syncRuleAttributeFlow,
  syncRuleJoinCondition,
  syncRuleScopeCondition,
} from "../../contract/contract";
import { defineResource } from "../common/defineResource";
import { commonInputs, deployingStack, syncIdleTimeoutSeconds } from "../common/inputs";

const rule = newSyncRuleArgs.shape;

/**
 * Connectors by role instead of identifier: `EntraID` is the Microsoft Entra ID connector (the same identifier on
 * every server); `ActiveDirectory` is the server's one Active Directory connector, as Connect's own rules name it
 * (refused when the server has none or several: declare its identifier then).
 */
export const CONNECTOR_ALIASES = ["EntraID", "ActiveDirectory"] as const;
export type ConnectorAlias = (typeof CONNECTOR_ALIASES)[number];

/**
 * A custom rule, whole: what New-ADSyncRule, Add-ADSyncAttributeFlowMapping, Add-ADSyncScopeConditionGroup and
 * Add-ADSyncJoinConditionGroup take (the contract's newSyncRule arguments, less `name` and `disabled`, which the
 * resource has for both forms). Precedence 0–99, unique on the server.
 */
export const syncRuleDefinition = z.strictObject({
  identifier: rule.identifier,
  description: rule.description.default(""),
  direction: rule.direction,
  /** The connector's identifier (GUID), or `EntraID` / `ActiveDirectory` (CONNECTOR_ALIASES). */
  connector: z.union([rule.connector, z.enum(CONNECTOR_ALIASES)]),
  sourceObjectType: rule.sourceObjectType,
  targetObjectType: rule.targetObjectType,
  linkType: rule.linkType.default("Join"),
  precedence: rule.precedence,
  scopeFilter: z.array(z.array(syncRuleScopeCondition).min(1)).default([]),
  joinFilter: z.array(z.array(syncRuleJoinCondition).min(1)).default([]),
  attributeFlowMappings: z.array(syncRuleAttributeFlow).default([]),
});
export type SyncRuleDefinition = z.output<typeof syncRuleDefinition>;

export const syncRuleInputs = z.strictObject({
  ...commonInputs,
  /** The rule's name: a custom rule's name, or the name of the existing rule to enable or disable. */
  name: rule.name,
  /** Declared state of the rule: false enabled, true disabled. */
  disabled: z.boolean().default(false),
  /** The custom rule, whole; null: an existing rule (Connect's own), found by `name`. */
  definition: syncRuleDefinition.nullable().default(null),
  /**
   * On destroy: `retain` leaves the rule as it is (and says so); `revert` undoes this resource: a custom rule is
   * removed, an existing rule gets back the Disabled value it had before this resource changed it.
   */
  onDelete: z.enum(["retain", "revert"]).default("retain"),
  /** How long to wait for a running sync cycle before the pause window. */
  syncIdleTimeoutSeconds,
  /** project/stack: names this stack's pause window on the server (the component sets it). */
  stack: deployingStack,
});
export type SyncRuleInputs = z.output<typeof syncRuleInputs>;

export const syncRuleOutputs = syncRuleInputs.extend({
  /** The rule's identifier on the server (a custom rule's own; an existing rule's as Get-ADSyncRule reports it). */
  identifier: z.string(),
  /** Microsoft's tag on Connect's own rules; null on custom rules. */
  immutableTag: z.string().nullable(),
  /** An existing rule's Disabled before this resource first changed it (what `revert` puts back); null for a custom rule. */
  previousDisabled: z.boolean().nullable(),
  /** The custom rule was on the server already, as declared, when this resource was created (adopted, not created). */
  adopted: z.boolean(),
  /**
   * Connect's full-synchronization flag after this resource's last change: true when the next sync cycle runs as
   * Initial (creating, changing, removing or disabling a rule sets it). A live value, never drift.
   */
  fullSyncPending: z.boolean(),
});
export type SyncRuleOutputs = z.output<typeof syncRuleOutputs>;

export const syncRule = defineResource("SyncRule", syncRuleInputs, syncRuleOutputs);
