<#
.SYNOPSIS
    Lists the access control entries an account holds on an AD object, explicit and inherited.

.DESCRIPTION
    Resolves the account to its SID from its DN, reads the object's ACL (Get-Acl "AD:\<dn>") and maps each
    ActiveDirectoryAccessRule of that SID: rights as sorted names (GenericRead, GenericWrite, CreateChild, ...),
    Allow or Deny, the inheritance type, the inherited object type ("group" for the group schema class
    bf967a9c-0de6-11d0-a285-00aa003049e2, another class as its GUID, null for all objects) and whether the
    entry is inherited.

    Writes one line of compressed JSON:
    {"rules":[{"rights":["CreateChild","Delete","DeleteChild","DeleteTree","GenericRead","GenericWrite"],
      "accessControlType":"Allow","inheritanceType":"Descendents","inheritedObjectType":"group",
      "isInherited":false}]}

.PARAMETER ArgumentsJson
    {"dn":"OU=Writeback,DC=contoso,DC=com","accountDn":"CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com"}

.EXAMPLE
    .\getAccessRules.ps1 -ArgumentsJson '{"dn":"OU=Writeback,DC=contoso,DC=com","accountDn":"CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com"}'

.NOTES
    Windows PowerShell 5.1, module ActiveDirectory (for the AD: drive).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string]$ArgumentsJson
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# The schemaIDGUID of the AD schema class "group".
$groupSchemaClassGuid = [Guid]'bf967a9c-0de6-11d0-a285-00aa003049e2'

function Resolve-AccountSid {
    param(
        [Parameter(Mandatory)]
        [string]$AccountDn
    )

    $account = Get-ADObject -Identity $AccountDn -Properties 'objectSid'
    if ($null -eq $account.objectSid) {
        throw "The account $AccountDn has no security identifier (objectSid); name a user, group or computer."
    }
    return [System.Security.Principal.SecurityIdentifier]$account.objectSid
}

function ConvertTo-RightName {
    param(
        [Parameter(Mandatory)]
        [System.DirectoryServices.ActiveDirectoryRights]$Rights
    )

    # Composite rights first (GenericRead = ReadControl, ListChildren, ReadProperty, ListObject and so on),
    # then the single rights they do not cover; sorted ordinally like the contract.
    $mask = [int64]$Rights
    $covered = [int64]0
    $names = New-Object -TypeName System.Collections.Generic.List[string]
    foreach ($composite in @('GenericAll', 'GenericRead', 'GenericWrite')) {
        $bits = [int64][System.DirectoryServices.ActiveDirectoryRights]$composite
        if (($mask -band $bits) -eq $bits -and ($covered -band $bits) -ne $bits) {
            $names.Add($composite)
            $covered = $covered -bor $bits
        }
    }
    $singleRights = @('CreateChild', 'DeleteChild', 'ListChildren', 'Self', 'ReadProperty', 'WriteProperty', 'DeleteTree',
        'ListObject', 'ExtendedRight', 'Delete', 'ReadControl', 'WriteDacl', 'WriteOwner')
    foreach ($single in $singleRights) {
        $bit = [int64][System.DirectoryServices.ActiveDirectoryRights]$single
        if (($mask -band $bit) -ne 0 -and ($covered -band $bit) -eq 0) {
            $names.Add($single)
        }
    }
    $sorted = $names.ToArray()
    [Array]::Sort($sorted, [StringComparer]::Ordinal)
    return $sorted
}

function ConvertTo-AccessRuleResult {
    param(
        [Parameter(Mandatory)]
        [System.DirectoryServices.ActiveDirectoryAccessRule]$Rule
    )

    $inheritedObjectType = $null
    if ($Rule.InheritedObjectType -eq $groupSchemaClassGuid) {
        $inheritedObjectType = 'group'
    }
    elseif ($Rule.InheritedObjectType -ne [Guid]::Empty) {
        $inheritedObjectType = $Rule.InheritedObjectType.ToString()
    }
    return [ordered]@{
        rights              = @(ConvertTo-RightName -Rights $Rule.ActiveDirectoryRights)
        accessControlType   = [string]$Rule.AccessControlType
        inheritanceType     = [string]$Rule.InheritanceType
        inheritedObjectType = $inheritedObjectType
        isInherited         = [bool]$Rule.IsInherited
    }
}

function Get-AccountAccessRule {
    param(
        [Parameter(Mandatory)]
        [string]$Dn,

        [Parameter(Mandatory)]
        [System.Security.Principal.SecurityIdentifier]$Sid
    )

    $acl = Get-Acl -LiteralPath "AD:\$Dn"
    foreach ($rule in $acl.GetAccessRules($true, $true, [System.Security.Principal.SecurityIdentifier])) {
        if ($rule.IdentityReference.Value -eq $Sid.Value) {
            ConvertTo-AccessRuleResult -Rule $rule
        }
    }
}

$arguments = ConvertFrom-Json -InputObject $ArgumentsJson
$dn = [string]$arguments.dn
$sid = Resolve-AccountSid -AccountDn ([string]$arguments.accountDn)

$result = [ordered]@{
    rules = @(Get-AccountAccessRule -Dn $dn -Sid $sid)
}
ConvertTo-Json -InputObject $result -Compress -Depth 10
