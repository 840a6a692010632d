// The .ps1 files: one per operation, parseable, in the required shape, and faithful to the contract.
import * as fs from "node:fs";
import type { Node } from "web-tree-sitter";
import { z } from "zod";
import {
  activeDirectoryRight,
  operationNames,
  operations,
  WRITEBACK_ACCESS_RULE,
} from "../../../operations/contract";
import { REMOTE_PASSWORD_VARIABLE } from "../../../powershell/remoting";
import { loadScript, SESSION_SCRIPT, type ScriptName, scriptsDirectory } from "../../../powershell/scripts";
import { nodesOfType, parsePowerShell, syntaxProblems } from "../../support/powershellParser";

const ALL_SCRIPTS: ScriptName[] = [...operationNames, SESSION_SCRIPT];

// Get-Verb, abridged to the groups a script like these could use.
const APPROVED_VERBS = new Set(
  (
    "Add Clear Close Copy Enter Exit Find Format Get Hide Join Lock Move New Open Optimize Pop Push Redo Remove " +
    "Rename Reset Resize Search Select Set Show Skip Split Step Switch Undo Unlock Watch Connect Disconnect Read " +
    "Receive Send Write Compare Compress Convert ConvertFrom ConvertTo Dismount Edit Expand Export Group Import " +
    "Initialize Limit Merge Mount Out Publish Restore Save Sync Unpublish Update Debug Measure Ping Repair Resolve " +
    "Test Trace Approve Assert Build Complete Confirm Deny Deploy Disable Enable Install Invoke Register Request " +
    "Restart Resume Start Stop Submit Suspend Uninstall Unregister Wait Block Grant Protect Revoke Unblock Unprotect Use"
  ).split(" "),
);

// Core cmdlets whose verbs predate the approved list.
const CORE_CMDLETS = new Set(["Where-Object", "ForEach-Object"]);

const ALIASES = new Set(
  "% ? gci ls dir select where foreach sort ft fl fw gc cat echo iex cd rm del rd cp mv gm measure sleep write ni ri gi si sc h r ac clc cls diff".split(
    " ",
  ),
);

interface ParsedScript {
  name: ScriptName;
  text: string;
  root: Node;
}

const parsed = new Map<ScriptName, ParsedScript>();

beforeAll(async () => {
  for (const name of ALL_SCRIPTS) {
    const text = loadScript(name);
    parsed.set(name, { name, text, root: (await parsePowerShell(text)).rootNode });
  }
});

function script(name: ScriptName): ParsedScript {
  const found = parsed.get(name);
  if (found === undefined) throw new Error(`${name} was not parsed`);
  return found;
}

function topLevelStatements(root: Node): Node[] {
  const list = root.namedChildren.find((child) => child?.type === "statement_list");
  return (list?.namedChildren ?? []).filter((node): node is Node => node !== null);
}

function commandNames(root: Node): string[] {
  return nodesOfType(root, "command_name").map((node) => node.text);
}

function functionNames(root: Node): string[] {
  return nodesOfType(root, "function_statement").map(
    (node) => node.childForFieldName("name")?.text ?? node.namedChildren[0]?.text ?? "",
  );
}

function hashKeys(root: Node): Set<string> {
  return new Set(nodesOfType(root, "key_expression").map((node) => node.text.replace(/^'|'$/g, "")));
}

function argumentMembers(root: Node): Set<string> {
  return new Set(
    nodesOfType(root, "member_access")
      .filter((node) => node.namedChildren[0]?.text === "$arguments")
      .map((node) => node.namedChildren[1]?.text ?? ""),
  );
}

/** Every object key a schema can produce, nested ones included. */
function fieldNames(schema: z.ZodType): Set<string> {
  const names = new Set<string>();
  const visit = (current: z.ZodType) => {
    if (current instanceof z.ZodObject) {
      for (const [key, value] of Object.entries(current.shape as Record<string, z.ZodType>)) {
        names.add(key);
        visit(value);
      }
    } else if (current instanceof z.ZodArray) {
      visit(current.element as z.ZodType);
    } else if (current instanceof z.ZodUnion) {
      for (const option of current.options as z.ZodType[]) visit(option);
    } else if (current instanceof z.ZodNullable || current instanceof z.ZodOptional) {
      visit(current.unwrap() as z.ZodType);
    }
  };
  visit(schema);
  return names;
}

describe("the script files", () => {
  it("are exactly one per contract operation plus _session.ps1", () => {
    const files = fs
      .readdirSync(scriptsDirectory())
      .filter((file) => file.endsWith(".ps1"))
      .sort();
    expect(files).toEqual(ALL_SCRIPTS.map((name) => `${name}.ps1`).sort());
  });

  it.each(ALL_SCRIPTS)(
    "%s.ps1 is ASCII, so Windows PowerShell 5.1 reads it the same without a byte-order mark",
    (name) => {
      expect(script(name).text).toMatch(/^[\t\n\r\x20-\x7E]*$/);
    },
  );

  it.each(ALL_SCRIPTS)("%s.ps1 parses with tree-sitter-powershell without errors", (name) => {
    const { root } = script(name);
    expect(syntaxProblems(root)).toEqual([]);
    expect(root.hasError).toBe(false);
  });
});

describe.each(ALL_SCRIPTS)("%s.ps1", (name) => {
  it("starts with comment-based help, then [CmdletBinding()] and a param() block taking $ArgumentsJson", () => {
    const { root } = script(name);
    const [help, paramBlock] = root.namedChildren;
    expect(help?.type).toBe("comment");
    expect(help?.text).toMatch(
      /^<#[\s\S]*\.SYNOPSIS[\s\S]*\.PARAMETER ArgumentsJson[\s\S]*\.EXAMPLE[\s\S]*#>$/,
    );
    expect(paramBlock?.type).toBe("param_block");
    expect(nodesOfType(paramBlock as Node, "attribute_name").map((node) => node.text)).toContain(
      "CmdletBinding",
    );
    expect(nodesOfType(paramBlock as Node, "variable").map((node) => node.text)).toEqual(["$ArgumentsJson"]);
  });

  it("sets strict mode and stopping errors before anything else", () => {
    const [first, second] = topLevelStatements(script(name).root);
    expect(first?.text).toBe("Set-StrictMode -Version Latest");
    expect(second?.text).toBe("$ErrorActionPreference = 'Stop'");
  });

  it("uses no aliases, and defines functions with approved verbs only", () => {
    const { root } = script(name);
    for (const command of commandNames(root)) {
      expect({ command, alias: ALIASES.has(command.toLowerCase()) }).toEqual({ command, alias: false });
      expect(command).toMatch(/^[A-Z][A-Za-z]+-[A-Za-z][A-Za-z0-9]*$/);
      const verb = command.split("-")[0] as string;
      expect({ command, approved: APPROVED_VERBS.has(verb) || CORE_CMDLETS.has(command) }).toEqual({
        command,
        approved: true,
      });
    }
    for (const defined of functionNames(root)) {
      expect({ defined, approved: APPROVED_VERBS.has(defined.split("-")[0] as string) }).toEqual({
        defined,
        approved: true,
      });
    }
  });

  it("imports no module: _session.ps1 does that once per session", () => {
    if (name !== SESSION_SCRIPT) {
      expect(commandNames(script(name).root)).not.toContain("Import-Module");
    }
  });

  it("never turns text into code (no Invoke-Expression, no ScriptBlock from data)", () => {
    const { root, text } = script(name);
    expect(commandNames(root)).not.toContain("Invoke-Expression");
    if (name !== SESSION_SCRIPT) {
      expect(text).not.toMatch(/\[ScriptBlock\]::Create/i);
    }
  });

  it("ends by writing its result as compressed JSON, deep enough for nested arrays", () => {
    const statements = topLevelStatements(script(name).root);
    const last = statements[statements.length - 1];
    expect(last?.text).toMatch(
      /^ConvertTo-Json (-InputObject \$result -Compress -Depth 10|-Compress -Depth 10 -InputObject \$result)$/,
    );
  });
});

describe.each(operationNames)("%s.ps1 against the contract", (operation) => {
  const argumentKeys = Object.keys((operations[operation].args as z.ZodObject).shape);

  it("takes its arguments as JSON (mandatory when the operation has arguments)", () => {
    const { text } = script(operation);
    if (argumentKeys.length === 0) {
      expect(text).toContain("[string]$ArgumentsJson = '{}'");
    } else {
      expect(text).toMatch(/\[Parameter\(Mandatory\)\]\s+\[string\]\$ArgumentsJson/);
      expect(text).toContain("$arguments = ConvertFrom-Json -InputObject $ArgumentsJson");
    }
  });

  it("reads exactly the contract's arguments", () => {
    expect([...argumentMembers(script(operation).root)].sort()).toEqual([...argumentKeys].sort());
  });

  it("maps every field of the contract's result explicitly in an [ordered] hashtable", () => {
    const { root, text } = script(operation);
    expect(text).toContain("[ordered]@{");
    const keys = hashKeys(root);
    for (const field of fieldNames(operations[operation].result as z.ZodType)) {
      expect({ field, present: keys.has(field) }).toEqual({ field, present: true });
    }
  });
});

describe("helpers copied between scripts (each script stays runnable on its own)", () => {
  it("are identical in every script that defines them", () => {
    const definitions = new Map<string, Map<string, ScriptName[]>>();
    for (const name of ALL_SCRIPTS) {
      for (const node of nodesOfType(script(name).root, "function_statement")) {
        const functionName = node.namedChildren[0]?.text ?? "";
        const byText = definitions.get(functionName) ?? new Map<string, ScriptName[]>();
        byText.set(node.text, [...(byText.get(node.text) ?? []), name]);
        definitions.set(functionName, byText);
      }
    }
    const divergent = [...definitions]
      .filter(([, byText]) => byText.size > 1)
      .map(([functionName]) => functionName);
    expect(divergent).toEqual([]);
    // The shared ones really are shared.
    expect(definitions.get("Get-GlobalParameterValue")?.values().next().value).toHaveLength(5);
    expect(definitions.get("Get-WritebackADConnector")?.values().next().value).toHaveLength(3);
    expect(definitions.get("ConvertTo-AccessRuleResult")?.values().next().value).toHaveLength(2);
    expect(definitions.get("Test-WritebackAccessRule")?.values().next().value).toHaveLength(2);
    expect(definitions.get("Resolve-AccountSid")?.values().next().value).toHaveLength(3);
    expect(definitions.get("ConvertTo-SchedulerResult")?.values().next().value).toHaveLength(2);
    expect(definitions.get("Get-OrganizationalUnitState")?.values().next().value).toHaveLength(2);
  });
});

describe("what each script runs (the documented cmdlets)", () => {
  const expectations: Record<string, RegExp[]> = {
    getServerInfo: [
      /Get-ADSyncGlobalSettings/,
      /'Microsoft\.Synchronize\.ServerConfigurationVersion'/,
      /\$scheduler\.StagingModeEnabled/,
    ],
    getScheduler: [
      /Get-ADSyncScheduler/,
      /ToString\('c', \[Globalization\.CultureInfo\]::InvariantCulture\)/,
      /"yyyy-MM-dd'T'HH:mm:ss\.fff'Z'"/,
    ],
    setSchedulerSyncCycleEnabled: [
      /\$null = Set-ADSyncScheduler -SyncCycleEnabled \$enabled/,
      /Get-ADSyncScheduler/,
    ],
    startSyncCycle: [/Start-ADSyncSyncCycle -PolicyType \$policyType/],
    getCompanyFeatures: [/Get-ADSyncAADCompanyFeature/],
    setGroupWritebackV2: [
      /GroupWritebackV2 = \$enabled/,
      /Set-ADSyncAADCompanyFeature @featureParameters/,
      /'EntraWriteback\.FeatureRefused'/,
    ],
    getGroupWritebackV1Config: [
      /\$features\.UnifiedGroupWriteback/,
      /'Microsoft\.OptionalFeature\.GroupWriteBack'/,
      /'Connector\.GroupWriteBackContainerDn'/,
      /'Out to AD - Group SOAInAAD - DN'/,
    ],
    getSyncScope: [
      /'forest-login-user'/,
      /Get-ADUser -Identity \$user -Server \$domain/,
      /ConnectorPartitionScope\.ContainerInclusionList/,
      /ConnectorPartitionScope\.ContainerExclusionList/,
    ],
    getOrganizationalUnit: [/Get-ADOrganizationalUnit -Identity \$Dn/, /ADIdentityNotFoundException/],
    newOrganizationalUnit: [
      /New-ADOrganizationalUnit -Name .* -Path .* -ProtectedFromAccidentalDeletion \$true/,
    ],
    removeOrganizationalUnit: [
      /-ErrorId 'EntraWriteback\.Refused'/,
      /Set-ADObject -Identity \$unit\.DistinguishedName -ProtectedFromAccidentalDeletion \$false\s+Remove-ADOrganizationalUnit/,
      /-Recursive:\$recursive -Confirm:\$false/,
    ],
    getAccessRules: [
      /Get-Acl -LiteralPath "AD:\\\$Dn"/,
      /Get-ADObject -Identity \$AccountDn -Properties 'objectSid'/,
    ],
    grantWritebackAccess: [
      /\$acl\.AddAccessRule\(\$rule\)/,
      /Set-Acl -LiteralPath "AD:\\\$dn" -AclObject \$acl/,
    ],
    revokeWritebackAccess: [
      /\$acl\.RemoveAccessRuleSpecific\(\$rule\)/,
      /Set-Acl -LiteralPath "AD:\\\$dn" -AclObject \$acl/,
    ],
    setForestWritebackPermissions: [
      /Set-ADSyncUnifiedGroupWritebackPermissions -ADConnectorAccountDN \$accountDn -Confirm:\$false -ErrorAction Stop/,
    ],
    listWrittenBackGroups: [
      /Get-ADGroup -SearchBase \$dn -SearchScope Subtree -Filter "adminDescription -like 'Group_\*'"/,
    ],
    getCloudGroupWriteback: [
      /if \(\$null -eq \(Get-MgContext\)\)/,
      /Get-MgBetaGroup -All -Property \$properties/,
      /Get-ADGroup -SearchBase \$dn -SearchScope Subtree -Filter "adminDescription -like 'Group_\*'"/,
    ],
    _session: [
      /\[Console\]::OutputEncoding = New-Object -TypeName System\.Text\.UTF8Encoding/,
      /Import-Module -Name \$module\.Location -Global/,
      /'Microsoft Azure Active Directory Connect\\AdSyncConfig\\AdSyncConfig\.psm1'/,
      /\[Environment\]::SetEnvironmentVariable\(\$passwordVariable, \$null\)/,
      /\$passwordVariable = 'ENTRA_WRITEBACK_REMOTE_PASSWORD'/,
      /New-PSSessionOption -OpenTimeout \$Settings\.timeoutMs -OperationTimeout \$Settings\.timeoutMs/,
      /\$sessionParameters\.Port = \$Settings\.port/,
      /\$sessionParameters\.UseSSL = \$true/,
      /Invoke-Command -Session \$global:EntraWritebackRemoteSession -ScriptBlock \$importModules/,
      /New-PSSession -UseWindowsPowerShell/,
      /Remove-PSSession -Session/,
    ],
    listPendingExports: [
      /'Microsoft Azure AD Sync\\Bin\\csexport\.exe'/,
      /& \$csexport \(\[string\]\$connector\.Name\) \$exportFile '\/f:x'/,
      /SelectNodes\('\/cs-objects\/cs-object'\)/,
      /unapplied-export\/delta/,
      /finally \{[^}]*Remove-Item -LiteralPath \$exportFile/,
    ],
  };

  it.each(Object.entries(expectations))("%s", (operation, patterns) => {
    const { text } = script(operation as ScriptName);
    for (const pattern of patterns) expect(text).toMatch(pattern);
  });
});

it("_session.ps1 reads the password from the variable the backend sets", () => {
  expect(script(SESSION_SCRIPT).text).toContain(`$passwordVariable = '${REMOTE_PASSWORD_VARIABLE}'`);
});

describe("the writeback ACE in the scripts is the contract's WRITEBACK_ACCESS_RULE", () => {
  it.each(["grantWritebackAccess", "revokeWritebackAccess"] as const)("%s", (operation) => {
    const { text } = script(operation);
    const rights = /\$writebackRights = \[System\.DirectoryServices\.ActiveDirectoryRights\]'([^']+)'/.exec(
      text,
    )?.[1];
    expect(rights?.split(", ").sort()).toEqual([...WRITEBACK_ACCESS_RULE.rights].sort());
    expect(text).toContain("$groupSchemaClassGuid = [Guid]'bf967a9c-0de6-11d0-a285-00aa003049e2'");
    expect(text).toContain("[System.Security.AccessControl.AccessControlType]::Allow");
    expect(text).toContain(
      `[System.DirectoryServices.ActiveDirectorySecurityInheritance]::${WRITEBACK_ACCESS_RULE.inheritanceType}`,
    );
    expect(text).toContain("$Rule.ObjectType -eq [Guid]::Empty");
  });

  it("getAccessRules names every right of the contract, composites first", () => {
    const { text } = script("getAccessRules");
    const composites = /foreach \(\$composite in @\(([^)]*)\)\)/.exec(text)?.[1] ?? "";
    const singles = /\$singleRights = @\(([^)]*)\)/.exec(text)?.[1] ?? "";
    const named =
      `${composites}, ${singles}`.match(/'[A-Za-z]+'/g)?.map((quoted) => quoted.slice(1, -1)) ?? [];
    expect(named.slice(0, 3)).toEqual(["GenericAll", "GenericRead", "GenericWrite"]);
    expect([...named].sort()).toEqual([...activeDirectoryRight.options].sort());
    expect(text).toContain("[Array]::Sort($sorted, [StringComparer]::Ordinal)");
    expect(text).toContain("$inheritedObjectType = 'group'");
  });
});
