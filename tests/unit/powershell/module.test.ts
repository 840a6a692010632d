// The EntraWriteback module (one function per contract operation) and _session.ps1: parseable, in the shape a
// Windows admin expects (help, CmdletBinding, typed parameters, -WhatIf), and faithful to the contract.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Node } from "web-tree-sitter";
import { z } from "zod";
import {
  activeDirectoryRight,
  type OperationName,
  operationNames,
  operations,
  WRITEBACK_ACCESS_RULE,
} from "../../../contract/contract";
import { REMOTE_PASSWORD_VARIABLE } from "../../../powershell/remoting";
import {
  COMMANDS,
  loadManifest,
  loadModule,
  loadSessionScript,
  moduleDirectory,
  sessionScriptPath,
} from "../../../powershell/module";
import { nodesOfType, parsePowerShell, syntaxProblems } from "../../support/powershellParser";

const SESSION_SCRIPT = "_session";
type ScriptName = OperationName | typeof SESSION_SCRIPT;

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
  /** The function's text (for an operation) with the private helpers it calls, or _session.ps1's whole text. */
  text: string;
  root: Node;
}

const SOURCES = {
  module: { file: "EntraWriteback.psm1", text: () => loadModule() },
  manifest: { file: "EntraWriteback.psd1", text: () => loadManifest() },
  session: { file: "_session.ps1", text: () => loadSessionScript() },
} as const;
const roots = new Map<keyof typeof SOURCES, Node>();
const functionNodes = new Map<string, Node>();
const parsed = new Map<ScriptName, ParsedScript>();

function functionName(node: Node): string {
  return node.namedChildren.find((child) => child?.type === "function_name")?.text ?? "";
}

/** The function and, transitively, the module's private helpers it calls. */
function withHelpers(name: string, seen = new Set<string>()): Node[] {
  const node = functionNodes.get(name);
  if (node === undefined || seen.has(name)) return [];
  seen.add(name);
  return [node, ...commandNames(node).flatMap((called) => withHelpers(called, seen))];
}

beforeAll(async () => {
  for (const [source, { text }] of Object.entries(SOURCES)) {
    roots.set(source as keyof typeof SOURCES, (await parsePowerShell(text())).rootNode);
  }
  for (const node of nodesOfType(root("module"), "function_statement")) {
    functionNodes.set(functionName(node), node);
  }
  for (const operation of operationNames) {
    const nodes = withHelpers(COMMANDS[operation]);
    if (nodes.length === 0) throw new Error(`${COMMANDS[operation]} is not defined in the module`);
    parsed.set(operation, {
      name: operation,
      text: nodes.map((node) => node.text).join("\n\n"),
      root: nodes[0] as Node,
    });
  }
  parsed.set(SESSION_SCRIPT, { name: SESSION_SCRIPT, text: loadSessionScript(), root: root("session") });
});

function root(source: keyof typeof SOURCES): Node {
  const found = roots.get(source);
  if (found === undefined) throw new Error(`${source} was not parsed`);
  return found;
}

function script(name: ScriptName): ParsedScript {
  const found = parsed.get(name);
  if (found === undefined) throw new Error(`${name} was not parsed`);
  return found;
}

function exportedFunction(operation: OperationName): Node {
  const node = functionNodes.get(COMMANDS[operation]);
  if (node === undefined) throw new Error(`${COMMANDS[operation]} is not defined`);
  return node;
}

/** Reads-only functions use the Get verb; every other function changes something. */
function changesSomething(operation: OperationName): boolean {
  return !COMMANDS[operation].startsWith("Get-");
}

// Irreversible, tenant-wide or forest-wide: PowerShell asks before running these unless -Confirm:$false.
const HIGH_IMPACT: OperationName[] = [
  "setGroupWritebackV2",
  "removeOrganizationalUnit",
  "setForestWritebackPermissions",
  "removeSyncRule",
];

function topLevelStatements(root: Node): Node[] {
  const list = root.namedChildren.find((child) => child?.type === "statement_list");
  return (list?.namedChildren ?? []).filter((node): node is Node => node !== null);
}

function commandNames(root: Node): string[] {
  return nodesOfType(root, "command_name").map((node) => node.text);
}

function functionNames(root: Node): string[] {
  return nodesOfType(root, "function_statement").map(functionName);
}

function attributeNames(node: Node): string[] {
  return nodesOfType(node, "attribute_name").map((name) => name.text);
}

/** The function's own param block (not those of nested script blocks). */
function paramBlock(node: Node): Node | undefined {
  const body = node.namedChildren.find((child) => child?.type === "script_block");
  return body?.namedChildren.find((child) => child?.type === "param_block") ?? undefined;
}

function parameters(node: Node): Node[] {
  const block = paramBlock(node);
  return block === undefined ? [] : nodesOfType(block, "script_parameter");
}

function parameterName(parameter: Node): string {
  return (nodesOfType(parameter, "variable").at(-1)?.text ?? "").replace(/^\$/, "");
}

function exportList(text: string, pattern: RegExp): string[] {
  const list = pattern.exec(text)?.[1] ?? "";
  return list.match(/'[^']+'/g)?.map((quoted) => quoted.slice(1, -1)) ?? [];
}

function hashKeys(root: Node): Set<string> {
  return new Set(nodesOfType(root, "key_expression").map((node) => node.text.replace(/^'|'$/g, "")));
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

describe("the files", () => {
  it("are the module, its manifest and _session.ps1: no per-operation scripts any more", () => {
    expect(fs.readdirSync(moduleDirectory()).sort()).toEqual(["EntraWriteback.psd1", "EntraWriteback.psm1"]);
    expect(fs.readdirSync(path.dirname(sessionScriptPath()))).toEqual(["_session.ps1"]);
  });

  it.each(Object.keys(SOURCES) as (keyof typeof SOURCES)[])(
    "%s is ASCII, so Windows PowerShell 5.1 reads it the same without a byte-order mark",
    (source) => {
      expect(SOURCES[source].text()).toMatch(/^[\t\n\r\x20-\x7E]*$/);
    },
  );

  it.each(Object.keys(SOURCES) as (keyof typeof SOURCES)[])(
    "%s parses with tree-sitter-powershell without errors",
    (source) => {
      expect(syntaxProblems(root(source))).toEqual([]);
      expect(root(source).hasError).toBe(false);
    },
  );
});

describe("the module as a whole", () => {
  it("sets strict mode and stopping errors before anything else", () => {
    for (const source of ["module", "session"] as const) {
      const [first, second] = topLevelStatements(root(source));
      expect(first?.text).toBe("Set-StrictMode -Version Latest");
      expect(second?.text).toBe("$ErrorActionPreference = 'Stop'");
    }
  });

  it("exports exactly the functions of the table, in the manifest and in Export-ModuleMember", () => {
    const mapped = Object.values(COMMANDS).sort();
    expect(new Set(mapped).size).toBe(operationNames.length);
    expect(exportList(loadManifest(), /FunctionsToExport\s*=\s*@\(([^)]*)\)/).sort()).toEqual(mapped);
    expect(exportList(loadModule(), /Export-ModuleMember -Function @\(([^)]*)\)/).sort()).toEqual(mapped);
    expect(loadManifest()).toMatch(/RootModule\s*=\s*'EntraWriteback\.psm1'/);
    for (const none of ["CmdletsToExport", "VariablesToExport", "AliasesToExport"]) {
      expect(loadManifest()).toMatch(new RegExp(`${none}\\s*=\\s*@\\(\\)`));
    }
  });

  it("defines each private helper once, and exports none of them", () => {
    const defined = functionNames(root("module"));
    expect(defined.length).toBe(new Set(defined).size);
    const helpers = defined.filter((name) => !Object.values(COMMANDS).includes(name));
    expect(helpers.length).toBeGreaterThan(10);
    expect(helpers).toContain("Get-GlobalParameterValue");
    for (const helper of helpers) expect(helper).not.toMatch(/EntraWriteback/);
  });

  it.each(["module", "session"] as const)(
    "%s uses no aliases, and defines functions with approved verbs only",
    (source) => {
      for (const command of commandNames(root(source))) {
        expect({ command, alias: ALIASES.has(command.toLowerCase()) }).toEqual({ command, alias: false });
        expect(command).toMatch(/^[A-Z][A-Za-z]+-[A-Za-z][A-Za-z0-9]*$/);
        const verb = command.split("-")[0] as string;
        expect({ command, approved: APPROVED_VERBS.has(verb) || CORE_CMDLETS.has(command) }).toEqual({
          command,
          approved: true,
        });
      }
      for (const defined of functionNames(root(source))) {
        expect({ defined, approved: APPROVED_VERBS.has(defined.split("-")[0] as string) }).toEqual({
          defined,
          approved: true,
        });
      }
    },
  );

  it("imports no module (_session.ps1 does that once per session) and never turns text into code", () => {
    const commands = commandNames(root("module"));
    expect(commands).not.toContain("Import-Module");
    expect(commands).not.toContain("Invoke-Expression");
    expect(commandNames(root("session"))).not.toContain("Invoke-Expression");
    expect(loadModule()).not.toMatch(/\[ScriptBlock\]::Create/i);
  });
});

describe.each(operationNames)("%s: its EntraWriteback function", (operation) => {
  const argumentKeys = Object.keys((operations[operation].args as z.ZodObject).shape);

  it("has comment-based help: synopsis, description, every parameter, an example, the Microsoft page it follows", () => {
    const help = exportedFunction(operation).namedChildren.find((child) => child?.type === "comment")?.text;
    expect(help).toMatch(/^<#[\s\S]*\.SYNOPSIS[\s\S]*\.DESCRIPTION[\s\S]*\.EXAMPLE[\s\S]*#>$/);
    for (const parameter of parameters(exportedFunction(operation))) {
      expect(help).toContain(`.PARAMETER ${parameterName(parameter)}`);
    }
    expect(help).toMatch(/\.LINK\s+https:\/\/learn\.microsoft\.com\//);
    if (changesSomething(operation)) {
      expect(help).toContain(`${COMMANDS[operation]} `);
      expect(help).toMatch(/ -WhatIf\n/);
    }
  });

  it("is an advanced function with [CmdletBinding()], an [OutputType()] and typed parameters", () => {
    const block = paramBlock(exportedFunction(operation));
    expect(block).toBeDefined();
    const attributes = (block as Node).namedChildren.find((child) => child?.type === "attribute_list");
    expect(attributeNames(attributes as Node)).toEqual(["CmdletBinding", "OutputType"]);
    for (const parameter of parameters(exportedFunction(operation))) {
      const list = parameter.namedChildren.find((child) => child?.type === "attribute_list");
      // A type is an attribute without arguments: [string], [bool], [int], [switch].
      const typed = list?.namedChildren.some(
        (child) => child?.type === "attribute" && /^\[[A-Za-z.]+(\[\])?\]$/.test(child.text),
      );
      expect({ parameter: parameterName(parameter), typed }).toEqual({
        parameter: parameterName(parameter),
        typed: true,
      });
    }
  });

  it("supports -WhatIf and -Confirm exactly when it changes something, and asks ShouldProcess first", () => {
    const node = exportedFunction(operation);
    const binding = nodesOfType(paramBlock(node) as Node, "attribute").find(
      (attribute) => attribute.namedChildren[0]?.text === "CmdletBinding",
    );
    const text = binding?.text ?? "";
    if (changesSomething(operation)) {
      expect(text).toContain("SupportsShouldProcess");
      const impact = HIGH_IMPACT.includes(operation) ? "High" : "Medium";
      expect(text).toContain(`ConfirmImpact = '${impact}'`);
      const body = node.namedChildren.find((child) => child?.type === "script_block");
      const statements = nodesOfType(body as Node, "statement_list")[0]?.namedChildren ?? [];
      expect(statements[0]?.text).toMatch(/^if \(-not \$PSCmdlet\.ShouldProcess\(.+\)\) \{\s+return\s+\}$/);
    } else {
      expect(text).toBe("[CmdletBinding()]");
      expect(node.text).not.toContain("ShouldProcess");
    }
  });

  it("takes exactly the contract's arguments as parameters (the JSON keys splat onto them)", () => {
    const names = parameters(exportedFunction(operation)).map((parameter) =>
      parameterName(parameter).toLowerCase(),
    );
    expect(names.sort()).toEqual(argumentKeys.map((key) => key.toLowerCase()).sort());
  });

  it("maps every field of the contract's result explicitly in an [ordered] hashtable", () => {
    const { text } = script(operation);
    expect(text).toContain("[ordered]@{");
    const keys = new Set(withHelpers(COMMANDS[operation]).flatMap((node) => [...hashKeys(node)]));
    for (const field of fieldNames(operations[operation].result as z.ZodType)) {
      expect({ field, present: keys.has(field) }).toEqual({ field, present: true });
    }
  });
});

describe("the held pause window in the registry marker", () => {
  it("Open- takes -Held as a switch and writes it into the marker; the reader returns held only when the marker has it", () => {
    const open = exportedFunction("openSyncWindow").text;
    expect(open).toMatch(/\[switch\]\$Held,/);
    expect(open).toContain("held         = [bool]$Held");
    const reader = functionNodes.get("ConvertTo-SyncWindowResult")!.text;
    // A marker an earlier version wrote has no held field (strict mode would stop at $Marker.held): no held in the answer.
    expect(reader).toContain("$heldField = $Marker.PSObject.Properties['held']");
    expect(reader).toMatch(/if \(\$null -eq \$heldField\) \{\s*\$result\.Remove\('held'\)/);
    expect(withHelpers(COMMANDS.getSyncWindow)).toContain(functionNodes.get("ConvertTo-SyncWindowResult"));
  });
});

describe("the functions validate their parameters as the contract validates the arguments", () => {
  const argumentSchema = (operation: OperationName, key: string): z.ZodType =>
    ((operations[operation].args as z.ZodObject).shape as Record<string, z.ZodType>)[key] as z.ZodType;
  /** The arguments of [<attribute>(...)] on the parameter $<name> (parameters are separated by ",\n\n"), as text. */
  const validation = (operation: OperationName, attribute: string, name: string): string | undefined =>
    new RegExp(`\\[${attribute}\\(([^)]*)\\)\\](?:(?!,\\n\\n)[\\s\\S])*?\\$${name}\\b`).exec(
      exportedFunction(operation).text,
    )?.[1];

  it("-PolicyType accepts exactly the contract's policy types", () => {
    const set = validation("startSyncCycle", "ValidateSet", "PolicyType")?.match(/'[^']+'/g);
    const policyType = argumentSchema("startSyncCycle", "policyType") as z.ZodEnum;
    expect(set?.map((quoted) => quoted.slice(1, -1)).sort()).toEqual([...policyType.options].sort());
  });

  it.each([
    ["openSyncWindow", "leaseSeconds"],
    ["getCloudGroupWriteback", "sampleSize"],
  ] as const)("%s -%s: the contract's range", (operation, key) => {
    const schema = argumentSchema(operation, key) as z.ZodNumber;
    const name = key[0]?.toUpperCase() + key.slice(1);
    expect(validation(operation, "ValidateRange", name)).toBe(`${schema.minValue}, ${schema.maxValue}`);
  });

  it.each([
    ["openSyncWindow", "owner"],
    ["openSyncWindow", "change"],
    ["closeSyncWindow", "owner"],
    ["newOrganizationalUnit", "name"],
  ] as const)("%s -%s: the contract's length", (operation, key) => {
    const schema = argumentSchema(operation, key) as z.ZodString;
    const name = key[0]?.toUpperCase() + key.slice(1);
    expect(validation(operation, "ValidateLength", name)).toBe(`${schema.minLength}, ${schema.maxLength}`);
  });
});

describe("_session.ps1", () => {
  it("starts with comment-based help, then [CmdletBinding()] and a param() block taking $ArgumentsJson", () => {
    const [help, block] = root("session").namedChildren;
    expect(help?.type).toBe("comment");
    expect(help?.text).toMatch(
      /^<#[\s\S]*\.SYNOPSIS[\s\S]*\.PARAMETER ArgumentsJson[\s\S]*\.EXAMPLE[\s\S]*#>$/,
    );
    expect(block?.type).toBe("param_block");
    expect(attributeNames(block as Node)).toContain("CmdletBinding");
    expect(nodesOfType(block as Node, "variable").map((node) => node.text)).toEqual(["$ArgumentsJson"]);
  });

  it("ends by writing its result as compressed JSON, deep enough for nested arrays", () => {
    const statements = topLevelStatements(root("session"));
    expect(statements.at(-1)?.text).toBe("ConvertTo-Json -Compress -Depth 10 -InputObject $result");
  });

  it("runs an operation as the module's function with the JSON arguments splatted, and returns its messages", () => {
    const text = loadSessionScript();
    expect(text).toContain(
      "$command = Get-Command -Module 'EntraWriteback' -Name $CommandName -CommandType Function",
    );
    expect(text).toContain(
      "foreach ($property in (ConvertFrom-Json -InputObject $ArgumentsJson).PSObject.Properties)",
    );
    expect(text).toContain("& $command @parameters 3>&1 4>&1 6>&1");
    for (const record of ["WarningRecord", "VerboseRecord", "InformationRecord"]) {
      expect(text).toContain(`$item -is [System.Management.Automation.${record}]`);
    }
    expect(text).toContain("$parameters['Confirm'] = $false");
    expect(text).toContain(
      "ConvertTo-Json -Compress -Depth 10 -InputObject ([ordered]@{ result = $results[0]; messages = $messages.ToArray() })",
    );
    expect(text).toContain(
      "New-Module -Name 'EntraWriteback' -ScriptBlock ([ScriptBlock]::Create($ModuleText))",
    );
  });
});

describe("what each function runs (the documented cmdlets)", () => {
  const expectations: Record<string, RegExp[]> = {
    getServerInfo: [
      /Get-ADSyncGlobalSettings/,
      /'Microsoft\.Synchronize\.ServerConfigurationVersion'/,
      /\$scheduler\.StagingModeEnabled/i,
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
      /Invoke-Command -Session \$global:EntraWritebackRemoteSession -ScriptBlock \$prepareSession -ArgumentList/,
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

describe("the writeback ACE in the module is the contract's WRITEBACK_ACCESS_RULE", () => {
  it.each(["grantWritebackAccess", "revokeWritebackAccess"] as const)("%s", (operation) => {
    // The rights and the group class are module-level constants, defined once for both functions.
    expect(script(operation).text).toContain("$writebackRights");
    expect(script(operation).text).toContain("$groupSchemaClassGuid");
    const text = `${loadModule().split("# ----- private helpers")[0]}\n${script(operation).text}`;
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
