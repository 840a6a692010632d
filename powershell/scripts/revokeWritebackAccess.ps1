<#
.SYNOPSIS
    Removes exactly the group writeback access control entry of an account from an OU.

.DESCRIPTION
    Removes the explicit Allow entries of the account's SID that are exactly the group writeback entry
    (GenericRead, GenericWrite, CreateChild, DeleteChild, Delete, DeleteTree; inheritance Descendents;
    inherited object type group; no object type). Every other entry, including other entries of the same
    account, is left as it is.

    Writes one line of compressed JSON with the number of entries removed: {"removed":1}

.PARAMETER ArgumentsJson
    {"dn":"OU=Writeback,DC=contoso,DC=com","accountDn":"CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com"}

.EXAMPLE
    .\revokeWritebackAccess.ps1 -ArgumentsJson '{"dn":"OU=Writeback,DC=contoso,DC=com","accountDn":"CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com"}'

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

$arguments = ConvertFrom-Json -InputObject $ArgumentsJson
$dn = [string]$arguments.dn
$sid = Resolve-AccountSid -AccountDn ([string]$arguments.accountDn)

$acl = Get-Acl -LiteralPath "AD:\$dn"
$matching = @($acl.GetAccessRules($true, $false, [System.Security.Principal.SecurityIdentifier]) |
        Where-Object { Test-WritebackAccessRule -Rule $_ -Sid $sid })
foreach ($rule in $matching) {
    $acl.RemoveAccessRuleSpecific($rule)
}
if ($matching.Count -gt 0) {
    Set-Acl -LiteralPath "AD:\$dn" -AclObject $acl
}

$result = [ordered]@{
    removed = $matching.Count
}
ConvertTo-Json -InputObject $result -Compress -Depth 10
