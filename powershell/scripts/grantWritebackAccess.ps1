<#
.SYNOPSIS
    Grants the group writeback access control entry to an account on an OU (no change if it is there).

.DESCRIPTION
    Adds one Allow entry for the account's SID: GenericRead, GenericWrite, CreateChild, DeleteChild, Delete
    and DeleteTree, inherited by group objects below the OU (inheritance Descendents, inherited object type
    = the group schema class bf967a9c-0de6-11d0-a285-00aa003049e2). This is the entry
    Set-ADSyncUnifiedGroupWritebackPermissions grants (dsacls "GRGWCCDCSDDT;;group" /I:S), scoped to one OU.
    Every other entry of the ACL is left as it is.

    Writes the same JSON as getAccessRules.ps1, read after the change.

.PARAMETER ArgumentsJson
    {"dn":"OU=Writeback,DC=contoso,DC=com","accountDn":"CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com"}

.EXAMPLE
    .\grantWritebackAccess.ps1 -ArgumentsJson '{"dn":"OU=Writeback,DC=contoso,DC=com","accountDn":"CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com"}'

.NOTES
    Windows PowerShell 5.1, module ActiveDirectory. Needs the right to modify permissions on the OU.
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

# Exactly what Set-ADSyncUnifiedGroupWritebackPermissions grants (dsacls "GRGWCCDCSDDT;;group" /I:S):
# generic read and write, create and delete child, delete, delete tree, on group objects below the OU.
$writebackRights = [System.DirectoryServices.ActiveDirectoryRights]'GenericRead, GenericWrite, CreateChild, DeleteChild, Delete, DeleteTree'

function Test-WritebackAccessRule {
    param(
        [Parameter(Mandatory)]
        [System.DirectoryServices.ActiveDirectoryAccessRule]$Rule,

        [Parameter(Mandatory)]
        [System.Security.Principal.SecurityIdentifier]$Sid
    )

    return $Rule.IdentityReference.Value -eq $Sid.Value -and
        -not $Rule.IsInherited -and
        $Rule.AccessControlType -eq [System.Security.AccessControl.AccessControlType]::Allow -and
        [int64]$Rule.ActiveDirectoryRights -eq [int64]$writebackRights -and
        $Rule.InheritanceType -eq [System.DirectoryServices.ActiveDirectorySecurityInheritance]::Descendents -and
        $Rule.ObjectType -eq [Guid]::Empty -and
        $Rule.InheritedObjectType -eq $groupSchemaClassGuid
}

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

$acl = Get-Acl -LiteralPath "AD:\$dn"
$existing = @($acl.GetAccessRules($true, $false, [System.Security.Principal.SecurityIdentifier]) |
        Where-Object { Test-WritebackAccessRule -Rule $_ -Sid $sid })
if ($existing.Count -eq 0) {
    $rule = New-Object -TypeName System.DirectoryServices.ActiveDirectoryAccessRule -ArgumentList @(
        $sid,
        $writebackRights,
        [System.Security.AccessControl.AccessControlType]::Allow,
        [Guid]::Empty,
        [System.DirectoryServices.ActiveDirectorySecurityInheritance]::Descendents,
        $groupSchemaClassGuid
    )
    $acl.AddAccessRule($rule)
    Set-Acl -LiteralPath "AD:\$dn" -AclObject $acl
}

$result = [ordered]@{
    rules = @(Get-AccountAccessRule -Dn $dn -Sid $sid)
}
ConvertTo-Json -InputObject $result -Compress -Depth 10
