// The server's synchronization rules (Get-ADSyncRule) and what the group writeback ones do to the next cycle.
// Sources: "Modify Microsoft Entra Connect group writeback default behavior"
// (https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/how-to-connect-modify-group-writeback) and
// "Group writeback for Microsoft 365 groups" (https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/how-to-connect-group-writeback-enable).
// Precedences, identifiers and tags of the built-in rules are not published: they are guesses (docs/simulator.md, Sync rules).
import {
  CUSTOM_RULE_PRECEDENCE_LIMIT,
  ENTRA_ID_CONNECTOR_ID,
  type NewSyncRuleArgs,
  type SyncRule,
} from "../contract/contract";
import { OperationError } from "../contract/errors";
import {
  IN_FROM_AAD_GROUP_SOA_IN_AAD,
  OUT_TO_AD_GROUP_SOA_IN_AAD,
  OUT_TO_AD_MEMBER_LIMIT,
} from "../domain/groupWritebackRules";
import type { Server } from "./model";

/** The simulated AD connector's identifier (a real one is made at install time). */
export const SIMULATED_AD_CONNECTOR_ID = "7a3c2f1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b";

const inFromAad = (): SyncRule => ({
  identifier: "0d9a5e3c-1f6b-4a52-9c0e-3b2f7d8e1a01",
  name: IN_FROM_AAD_GROUP_SOA_IN_AAD,
  description: "",
  direction: "Inbound",
  connector: ENTRA_ID_CONNECTOR_ID,
  sourceObjectType: "group",
  targetObjectType: "group",
  linkType: "Provision",
  precedence: 115,
  disabled: false,
  immutableTag: "Microsoft.InfromAADGroupSOAInAAD.001",
  scopeFilter: [[{ attribute: "cloudMastered", value: "true", operator: "EQUAL" }]],
  joinFilter: [[{ sourceAttribute: "cloudAnchor", targetAttribute: "cloudAnchor", caseSensitive: false }]],
  attributeFlowMappings: [
    {
      destination: "cloudAnchor",
      flowType: "Direct",
      source: ["cloudAnchor"],
      expression: null,
      valueMergeType: "Update",
    },
    {
      destination: "displayName",
      flowType: "Direct",
      source: ["displayName"],
      expression: null,
      valueMergeType: "Update",
    },
  ],
});

const outToAd = (): SyncRule => ({
  identifier: "0d9a5e3c-1f6b-4a52-9c0e-3b2f7d8e1a02",
  name: OUT_TO_AD_GROUP_SOA_IN_AAD,
  description: "",
  direction: "Outbound",
  connector: SIMULATED_AD_CONNECTOR_ID,
  sourceObjectType: "group",
  targetObjectType: "group",
  linkType: "Provision",
  precedence: 226,
  disabled: false,
  immutableTag: "Microsoft.OuttoADGroupSOAInAAD.001",
  scopeFilter: [[{ attribute: "cloudMastered", value: "true", operator: "EQUAL" }]],
  joinFilter: [],
  attributeFlowMappings: [
    {
      destination: "adminDescription",
      flowType: "Expression",
      source: [],
      expression: '"Group_" & [cloudAnchor]',
      valueMergeType: "Update",
    },
    {
      destination: "displayName",
      flowType: "Direct",
      source: ["displayName"],
      expression: null,
      valueMergeType: "Update",
    },
  ],
});

const memberLimit = (): SyncRule => ({
  identifier: "0d9a5e3c-1f6b-4a52-9c0e-3b2f7d8e1a03",
  name: OUT_TO_AD_MEMBER_LIMIT,
  description: "",
  direction: "Outbound",
  connector: SIMULATED_AD_CONNECTOR_ID,
  sourceObjectType: "group",
  targetObjectType: "group",
  linkType: "Join",
  precedence: 227,
  disabled: false,
  immutableTag: "Microsoft.OuttoADGroupWritebackMemberLimit.001",
  scopeFilter: [[{ attribute: "cloudMastered", value: "true", operator: "EQUAL" }]],
  joinFilter: [],
  attributeFlowMappings: [],
});

/**
 * The built-in rules the project cares about: "In from AAD - Group SOAInAAD" on every server; the two outbound
 * group writeback rules once group writeback is enabled ("the default synchronization rule that limits the group
 * size is created when group writeback is enabled").
 */
export function builtInSyncRules(groupWritebackEnabled: boolean): SyncRule[] {
  return groupWritebackEnabled ? [inFromAad(), outToAd(), memberLimit()] : [inFromAad()];
}

/** What the wizard adds when it enables group writeback: the writeback rules a server does not have yet. */
export function addGroupWritebackRules(server: Server): void {
  for (const rule of builtInSyncRules(true)) {
    if (!server.syncRules.some((existing) => existing.name === rule.name)) server.syncRules.push(rule);
  }
}

export function sortedRules(server: Server): SyncRule[] {
  return [...server.syncRules].sort((a, b) => a.precedence - b.precedence || a.name.localeCompare(b.name));
}

function requireRule(operation: string, server: Server, identifier: string): SyncRule {
  const rule = server.syncRules.find(
    (candidate) => candidate.identifier.toLowerCase() === identifier.toLowerCase(),
  );
  if (!rule) {
    throw new OperationError(
      operation,
      "NotFound",
      `There is no synchronization rule with identifier ${identifier} on ${server.name}; list them with Get-ADSyncRule.`,
    );
  }
  return rule;
}

/** New-ADSyncRule … Add-ADSyncRule. Connect flags a full synchronization when a rule is created. */
export function addSyncRule(server: Server, args: NewSyncRuleArgs): SyncRule {
  const sameIdentifier = server.syncRules.find(
    (rule) => rule.identifier.toLowerCase() === args.identifier.toLowerCase(),
  );
  if (sameIdentifier) {
    throw new OperationError(
      "newSyncRule",
      "Refused",
      `A synchronization rule with identifier ${args.identifier} already exists on ${server.name} ("${sameIdentifier.name}"); remove it first or use another identifier.`,
    );
  }
  const samePrecedence = server.syncRules.find((rule) => rule.precedence === args.precedence);
  if (samePrecedence) {
    const taken = new Set(server.syncRules.map((rule) => rule.precedence));
    const free = Array.from({ length: CUSTOM_RULE_PRECEDENCE_LIMIT }, (_, index) => index).filter(
      (precedence) => !taken.has(precedence),
    );
    throw new OperationError(
      "newSyncRule",
      "Refused",
      `Precedence ${args.precedence} is already taken on ${server.name} by "${samePrecedence.name}"; a sync rule precedence must be unique: choose a free one${free.length > 0 ? ` (the lowest free is ${free[0]})` : ""}.`,
    );
  }
  const rule: SyncRule = {
    ...structuredClone(args),
    identifier: args.identifier.toLowerCase(),
    immutableTag: null,
  };
  server.syncRules.push(rule);
  server.fullSyncRequired = true;
  return rule;
}

/** Remove-ADSyncRule: custom rules only; Connect's own rules are disabled instead (Microsoft: don't change the default rules). */
export function removeSyncRule(server: Server, identifier: string): { removed: boolean } {
  const index = server.syncRules.findIndex(
    (rule) => rule.identifier.toLowerCase() === identifier.toLowerCase(),
  );
  const rule = server.syncRules[index];
  if (rule === undefined) return { removed: false };
  if (rule.immutableTag !== null) {
    throw new OperationError(
      "removeSyncRule",
      "Refused",
      `"${rule.name}" is one of the rules Entra Connect ships; it cannot be removed. Disable it instead (setSyncRuleDisabled).`,
    );
  }
  server.syncRules.splice(index, 1);
  server.fullSyncRequired = true;
  return { removed: true };
}

/** Get-ADSyncRule, Disabled = $true/$false, Add-ADSyncRule. "Disabling the synchronization rule sets the flag for full synchronization." */
export function setSyncRuleDisabled(server: Server, identifier: string, disabled: boolean): SyncRule {
  const rule = requireRule("setSyncRuleDisabled", server, identifier);
  if (rule.disabled !== disabled) {
    rule.disabled = disabled;
    server.fullSyncRequired = true;
  }
  return structuredClone(rule);
}

/** Which out-of-scope groups the server's enabled inbound rules mark "DeleteThisGroupInAD" (Microsoft's delete rule, by its effect). */
export interface DeleteRuleEffect {
  /** Opted out of writeback (writebackConfiguration.isEnabled false, or not true for security groups). */
  outOfScope: boolean;
  softDeleted: boolean;
}

export function deleteRuleEffect(rules: readonly SyncRule[]): DeleteRuleEffect {
  const effect: DeleteRuleEffect = { outOfScope: false, softDeleted: false };
  for (const rule of rules) {
    if (
      rule.disabled ||
      rule.direction !== "Inbound" ||
      rule.connector.toLowerCase() !== ENTRA_ID_CONNECTOR_ID
    )
      continue;
    if (rule.sourceObjectType !== "group") continue;
    for (const flow of rule.attributeFlowMappings) {
      const expression = flow.expression ?? "";
      if (flow.destination !== "reasonFiltered" || !expression.includes("DeleteThisGroupInAD")) continue;
      if (expression.includes("WriteBackOutOfScope")) effect.outOfScope = true;
      if (expression.includes("SoftDelete")) effect.softDeleted = true;
    }
  }
  return effect;
}

/** Whether the enabled member-limit rule applies (recorded only: the simulator keeps no member counts). */
export function memberLimitEnabled(rules: readonly SyncRule[]): boolean {
  return rules.some((rule) => rule.name === OUT_TO_AD_MEMBER_LIMIT && !rule.disabled);
}

function sameText(left: string, right: string): boolean {
  return left.toLowerCase() === right.toLowerCase();
}

function hasCondition(rule: SyncRule, attribute: string, operator: string, value?: string): boolean {
  return rule.scopeFilter.some((group) =>
    group.some(
      (condition) =>
        sameText(condition.attribute, attribute) &&
        condition.operator === operator &&
        (value === undefined || sameText(condition.value, value)),
    ),
  );
}

/**
 * Whether the server has both custom rules of the migration to Cloud Sync, enabled and as the 2024 revision of the
 * page describes them (recognized by what they do, not by name): an inbound Join rule from the Entra connector
 * scoped cloudMastered = true and mail ISNULL that flows the constant True into cloudNoFlow, and an outbound
 * JoinNoFlow rule to the AD connector scoped cloudNoFlow = True. Together they keep Connect from flowing to, or
 * deleting, the written-back security groups. One without the other, or the 2023 revision's swapped connectors,
 * does nothing.
 */
export function noFlowRulesInPlace(rules: readonly SyncRule[]): boolean {
  const enabled = rules.filter((rule) => !rule.disabled && sameText(rule.sourceObjectType, "group"));
  const inbound = enabled.some(
    (rule) =>
      rule.direction === "Inbound" &&
      sameText(rule.connector, ENTRA_ID_CONNECTOR_ID) &&
      rule.linkType === "Join" &&
      hasCondition(rule, "cloudMastered", "EQUAL", "true") &&
      hasCondition(rule, "mail", "ISNULL") &&
      rule.attributeFlowMappings.some(
        (flow) =>
          flow.flowType === "Constant" &&
          sameText(flow.destination, "cloudNoFlow") &&
          flow.source.length === 1 &&
          sameText(flow.source[0] ?? "", "True"),
      ),
  );
  const outbound = enabled.some(
    (rule) =>
      rule.direction === "Outbound" &&
      !sameText(rule.connector, ENTRA_ID_CONNECTOR_ID) &&
      rule.linkType === "JoinNoFlow" &&
      hasCondition(rule, "cloudNoFlow", "EQUAL", "True"),
  );
  return inbound && outbound;
}
