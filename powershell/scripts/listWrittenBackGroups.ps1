<#
.SYNOPSIS
    Lists the groups under an OU that Entra Connect wrote back from the cloud (adminDescription Group_<objectId>).

.DESCRIPTION
    Runs Get-ADGroup -SearchBase <dn> -Filter "adminDescription -like 'Group_*'" and reports each group's DN,
    adminDescription, cloud object id (the part after Group_), display name (the name when it has none),
    scope and category.

    Writes one line of compressed JSON:
    {"groups":[{"dn":"CN=Group_3a5c3221-c465-48c0-95b8-e9305786a271,OU=Writeback,DC=contoso,DC=com",
      "adminDescription":"Group_3a5c3221-c465-48c0-95b8-e9305786a271",
      "cloudObjectId":"3a5c3221-c465-48c0-95b8-e9305786a271","displayName":"Sales",
      "groupScope":"Universal","groupCategory":"Distribution"}]}

.PARAMETER ArgumentsJson
    {"dn":"OU=Writeback,DC=contoso,DC=com"}

.EXAMPLE
    .\listWrittenBackGroups.ps1 -ArgumentsJson '{"dn":"OU=Writeback,DC=contoso,DC=com"}'

.NOTES
    Windows PowerShell 5.1, module ActiveDirectory.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string]$ArgumentsJson
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$arguments = ConvertFrom-Json -InputObject $ArgumentsJson
$dn = [string]$arguments.dn
$cloudAnchorPrefix = 'Group_'

$found = @(Get-ADGroup -SearchBase $dn -SearchScope Subtree -Filter "adminDescription -like 'Group_*'" -Properties 'adminDescription', 'displayName')
$groups = New-Object -TypeName System.Collections.Generic.List[object]
foreach ($group in $found) {
    $adminDescription = [string]$group.adminDescription
    $displayName = [string]$group.displayName
    if ([string]::IsNullOrEmpty($displayName)) {
        $displayName = [string]$group.Name
    }
    $groups.Add([ordered]@{
            dn               = [string]$group.DistinguishedName
            adminDescription = $adminDescription
            cloudObjectId    = $adminDescription.Substring($cloudAnchorPrefix.Length)
            displayName      = $displayName
            groupScope       = [string]$group.GroupScope
            groupCategory    = [string]$group.GroupCategory
        })
}

$result = [ordered]@{
    groups = $groups.ToArray()
}
ConvertTo-Json -InputObject $result -Compress -Depth 10
