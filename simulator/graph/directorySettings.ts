// Directory setting templates and the tenant's directory settings (Graph beta directorySettingTemplates, settings).
// Pure functions on the state; the HTTP side is in routes.ts, state access in tenantAccess.ts.
import type { SimState } from "../model";

export interface SettingTemplateValue {
  name: string;
  type: "System.Boolean" | "System.String" | "System.Guid";
  defaultValue: string;
  description: string;
}

export interface SettingTemplate {
  id: string;
  displayName: string;
  description: string;
  values: SettingTemplateValue[];
}

/** The Group.Unified template id (Graph v1.0 groupSettingTemplates example; clients look it up by display name). */
export const GROUP_UNIFIED_TEMPLATE_ID = "62375ab9-6b52-47ed-826b-58e47e0e304b";
export const NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT = "NewUnifiedGroupWritebackDefault";

const bool = (name: string, defaultValue: boolean, description: string): SettingTemplateValue => ({
  name,
  type: "System.Boolean",
  defaultValue: String(defaultValue),
  description,
});
const text = (name: string, description: string): SettingTemplateValue => ({
  name,
  type: "System.String",
  defaultValue: "",
  description,
});

/**
 * The templates the simulator knows. Group.Unified's value names are those of Graph's beta directorySetting
 * example; the defaults are Microsoft's documented ones for Microsoft 365 group settings
 * (NewUnifiedGroupWritebackDefault: Boolean, default true). Group.Unified.Guest is listed so that lookups by
 * display name must pick the right one.
 */
export const SETTING_TEMPLATES: readonly SettingTemplate[] = [
  {
    id: GROUP_UNIFIED_TEMPLATE_ID,
    displayName: "Group.Unified",
    description:
      "Setting templates define the different settings that can be used for the associated ObjectSettings. This template defines settings that can be used for Unified Groups.",
    values: [
      text(
        "CustomBlockedWordsList",
        "A comma-delimited list of blocked words for Unified Group displayName and mailNickName.",
      ),
      bool(
        "EnableMSStandardBlockedWords",
        false,
        "A flag indicating whether or not to enable the Microsoft Standard list of blocked words.",
      ),
      text(
        "ClassificationDescriptions",
        "A comma-delimited list of structured strings describing the classification values.",
      ),
      text(
        "DefaultClassification",
        "The classification value to be used by default for Unified Group creation.",
      ),
      text("PrefixSuffixNamingRequirement", "The prefix/suffix naming requirement for Unified Groups."),
      bool(
        "AllowGuestsToBeGroupOwner",
        false,
        "Flag indicating if guests are allowed to be owner in any Unified Group.",
      ),
      bool(
        "AllowGuestsToAccessGroups",
        true,
        "Flag indicating if guests are allowed to access any Unified Group resources.",
      ),
      text("GuestUsageGuidelinesUrl", "A link to the Group usage guidelines for guests."),
      {
        name: "GroupCreationAllowedGroupId",
        type: "System.Guid",
        defaultValue: "",
        description: "Guid of the security group that is always allowed to create Unified Groups.",
      },
      bool("AllowToAddGuests", true, "Flag indicating if guests are allowed in any Unified Group."),
      text("UsageGuidelinesUrl", "A link to the Group usage guidelines."),
      text(
        "ClassificationList",
        "A comma-delimited list of valid classification values that can be applied to Unified Groups.",
      ),
      bool("EnableGroupCreation", true, "Flag indicating if group creation feature is on."),
      bool(
        "EnableMIPLabels",
        false,
        "Flag indicating whether Microsoft Information Protection labels can be assigned to Unified Groups.",
      ),
      bool(
        NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT,
        true,
        "Default value of writebackConfiguration/isEnabled for new Unified Groups, if the property is not specified at creation.",
      ),
    ],
  },
  {
    id: "08d542b9-071f-4e16-94b0-74abb372e3d9",
    displayName: "Group.Unified.Guest",
    description: "Settings for a specific Unified Group",
    values: [
      bool("AllowToAddGuests", true, "Flag indicating if guests are allowed in a specific Unified Group."),
    ],
  },
];

export function findTemplate(id: string): SettingTemplate | undefined {
  return SETTING_TEMPLATES.find((template) => template.id === id.toLowerCase());
}

/**
 * The value NewUnifiedGroupWritebackDefault gives new Microsoft 365 groups' writebackConfiguration.isEnabled
 * when their creation does not set it: the Group.Unified setting's value, or null (never set: such a group is
 * written back, as with true) when the tenant has no Group.Unified setting.
 */
export function newUnifiedGroupWritebackDefault(state: SimState): boolean | null {
  const setting = state.graph?.directorySettings.find(
    (each) => each.templateId === GROUP_UNIFIED_TEMPLATE_ID,
  );
  if (!setting) return null;
  const value = setting.values.find((each) => each.name === NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT)?.value;
  if (value === undefined) return null;
  return value.toLowerCase() !== "false";
}
