// The Connect sync rules Microsoft documents for group writeback's default behaviour, defined once: their names,
// and the custom delete rule exactly as "Modify Microsoft Entra Connect group writeback default behavior" creates it
// (https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/how-to-connect-modify-group-writeback).
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
