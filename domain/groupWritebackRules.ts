// The Connect sync rules Microsoft documents for group writeback's default behaviour, defined once: their names,
// and the custom delete rule exactly as "Modify Microsoft Entra Connect group writeback default behavior" creates it
// (https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/how-to-connect-modify-group-writeback), and the two
// custom rules of the migration to Cloud Sync
// (https://learn.microsoft.com/en-us/entra/identity/hybrid/cloud-sync/migrate-group-writeback).
import { ENTRA_ID_CONNECTOR_ID, type NewSyncRuleArgs } from "../contract/contract";

export const IN_FROM_AAD_GROUP_SOA_IN_AAD = "In from AAD - Group SOAInAAD";
export const OUT_TO_AD_GROUP_SOA_IN_AAD = "Out to AD - Group SOAInAAD";
/** Microsoft spells it with an en dash; disabling it allows groups of up to 250,000 members. */
export const OUT_TO_AD_MEMBER_LIMIT = "Out to AD \u2013 Group Writeback Member Limit";
/** The groups over this many members the member-limit rule keeps from being written back. */
export const MEMBER_LIMIT = 50_000;

export const DELETE_RULE_NAME = "In from AAD - Group SOAinAAD Delete WriteBackOutOfScope and SoftDelete";
export const DELETE_RULE_IDENTIFIER = "cb871f2d-0f01-4c32-a333-ff809145b947";

/** The documented delete rule at the given precedence (Microsoft's script asks for a unique value from 0 to 99). */
export function deleteOutOfScopeGroupsRule(precedence: number): NewSyncRuleArgs {
  return {
    identifier: DELETE_RULE_IDENTIFIER,
    name: DELETE_RULE_NAME,
    description: "Delete AD groups that fall out of scope of Group Writeback or get Soft Deleted in Azure AD",
    direction: "Inbound",
    connector: ENTRA_ID_CONNECTOR_ID,
    sourceObjectType: "group",
    targetObjectType: "group",
    linkType: "Join",
    scopeFilter: [[{ attribute: "cloudMastered", value: "true", operator: "EQUAL" }]],
    joinFilter: [[{ sourceAttribute: "cloudAnchor", targetAttribute: "cloudAnchor", caseSensitive: false }]],
    attributeFlowMappings: [
      {
        destination: "reasonFiltered",
        flowType: "Expression",
        source: [],
        expression:
          'IIF((IsPresent([reasonFiltered]) = True) && (InStr([reasonFiltered], "WriteBackOutOfScope") > 0 || InStr([reasonFiltered], "SoftDelete") > 0), "DeleteThisGroupInAD", [reasonFiltered])',
        valueMergeType: "Update",
      },
    ],
    precedence,
    disabled: false,
  };
}

/** The inbound rule of the migration to Cloud Sync (step 3). Microsoft names neither rule: these names are ours. */
export const NO_FLOW_INBOUND_RULE_NAME = "In from AAD - Group SOAInAAD cloudNoFlow (migration to Cloud Sync)";
export const NO_FLOW_INBOUND_RULE_IDENTIFIER = "5c0e8f3a-7d21-4b6e-9a4f-1e2d3c4b5a61";
/** The outbound rule of the migration to Cloud Sync (step 4). */
export const NO_FLOW_OUTBOUND_RULE_NAME = "Out to AD - Group SOAInAAD JoinNoFlow (migration to Cloud Sync)";
export const NO_FLOW_OUTBOUND_RULE_IDENTIFIER = "5c0e8f3a-7d21-4b6e-9a4f-1e2d3c4b5a62";

/**
 * Step 3: inbound from the Microsoft Entra connector (the 2023 revision of the page said the AD connector; the 2024
 * one corrected it), Join, scoped to cloud-mastered groups without mail (the security groups), flowing the constant
 * True into cloudNoFlow: Connect stops synchronizing their attributes.
 */
export function noFlowInboundRule(precedence: number): NewSyncRuleArgs {
  return {
    identifier: NO_FLOW_INBOUND_RULE_IDENTIFIER,
    name: NO_FLOW_INBOUND_RULE_NAME,
    description: "Migration of Group Writeback V2 security groups to Cloud Sync: mark them cloudNoFlow",
    direction: "Inbound",
    connector: ENTRA_ID_CONNECTOR_ID,
    sourceObjectType: "group",
    targetObjectType: "group",
    linkType: "Join",
    scopeFilter: [
      [
        { attribute: "cloudMastered", value: "true", operator: "EQUAL" },
        { attribute: "mail", value: "", operator: "ISNULL" },
      ],
    ],
    joinFilter: [],
    attributeFlowMappings: [
      {
        destination: "cloudNoFlow",
        flowType: "Constant",
        source: ["True"],
        expression: null,
        valueMergeType: "Update",
      },
    ],
    precedence,
    disabled: false,
  };
}

/** Step 4: outbound to the AD connector (its identifier is the server's), JoinNoFlow, scoped cloudNoFlow = True, no flows. */
export function noFlowOutboundRule(precedence: number, adConnectorId: string): NewSyncRuleArgs {
  return {
    identifier: NO_FLOW_OUTBOUND_RULE_IDENTIFIER,
    name: NO_FLOW_OUTBOUND_RULE_NAME,
    description: "Migration of Group Writeback V2 security groups to Cloud Sync: keep the join, flow nothing",
    direction: "Outbound",
    connector: adConnectorId,
    sourceObjectType: "group",
    targetObjectType: "group",
    linkType: "JoinNoFlow",
    scopeFilter: [[{ attribute: "cloudNoFlow", value: "True", operator: "EQUAL" }]],
    joinFilter: [],
    attributeFlowMappings: [],
    precedence,
    disabled: false,
  };
}
