<#
.SYNOPSIS
    Counts the tenant's groups by their writeback setting, and finds which of them are in the writeback OU.
    Read-only.

.DESCRIPTION
    Reads every cloud-mastered group of the tenant with the Microsoft Graph PowerShell SDK, the way Microsoft's
    "Modify group writeback default behavior" page does (Get-MgBetaGroup -All, writebackConfiguration):
      - Microsoft 365 groups (groupTypes contains Unified). Opted out: writebackConfiguration.isEnabled is
        $false ("If isEnabled is null or true, the group will be written back").
      - Security groups (securityEnabled, not mail-enabled, not Unified). Written back by Group Writeback V2
        only when writebackConfiguration.isEnabled is $true.
    Groups synchronized from on-premises (onPremisesSyncEnabled) are never written back and are not counted.

    Then lists the groups Entra Connect wrote back under the DN (Get-ADGroup -SearchBase, adminDescription
    Group_<objectId>) and reports which of them are opted-out Microsoft 365 groups or security groups.

    The session must already be connected to Microsoft Graph (Connect-MgGraph with Group.Read.All, for example
    app-only with a certificate); the script never connects or prompts by itself.

    Writes one line of compressed JSON:
    {"microsoft365Groups":12,"optedOutMicrosoft365Groups":{"count":2,"sample":[{"cloudObjectId":"...",
     "displayName":"Legal","dn":null}]},"securityGroups":3,"writebackEnabledSecurityGroups":1,
     "inOu":{"writtenBack":2,"optedOutMicrosoft365":{"count":0,"sample":[]},"security":{"count":1,"sample":[...]}}}

.PARAMETER ArgumentsJson
    {"dn":"OU=Writeback,DC=contoso,DC=com","sampleSize":10}   (dn may be null: no OU comparison)

.EXAMPLE
    Connect-MgGraph -Scopes Group.Read.All
    .\getCloudGroupWriteback.ps1 -ArgumentsJson '{"dn":"OU=Writeback,DC=contoso,DC=com","sampleSize":10}'

.NOTES
    Windows PowerShell 5.1, modules Microsoft.Graph.Beta.Groups and ActiveDirectory.
    https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-modify-group-writeback
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string]$ArgumentsJson
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$arguments = ConvertFrom-Json -InputObject $ArgumentsJson
$dn = $null
if ($null -ne $arguments.dn) {
    $dn = [string]$arguments.dn
}
$sampleSize = [int]$arguments.sampleSize
$cloudAnchorPrefix = 'Group_'

if ($null -eq (Get-MgContext)) {
    throw 'This session is not connected to Microsoft Graph: run Connect-MgGraph (Group.Read.All) in the session first.'
}

function Get-WritebackEnabled {
    param(
        [Parameter(Mandatory)]
        [object]$Group
    )

    $configuration = $Group.WritebackConfiguration
    if ($null -eq $configuration) {
        return $null
    }
    return $configuration.IsEnabled
}

function New-GroupSet {
    param(
        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [object[]]$Entries,

        [Parameter(Mandatory)]
        [int]$Size
    )

    # Ordinal order by display name, then object id: the same order on every server and in the simulator.
    $sorted = New-Object -TypeName System.Collections.Generic.List[object]
    foreach ($entry in $Entries) {
        $sorted.Add($entry)
    }
    $sorted.Sort([System.Comparison[object]] {
            param($left, $right)
            $byName = [string]::CompareOrdinal([string]$left.displayName, [string]$right.displayName)
            if ($byName -ne 0) {
                return $byName
            }
            return [string]::CompareOrdinal([string]$left.cloudObjectId, [string]$right.cloudObjectId)
        })
    return [ordered]@{
        count  = $sorted.Count
        sample = @($sorted.GetRange(0, [Math]::Min($Size, $sorted.Count)).ToArray())
    }
}

$writtenBackDn = @{}
$ouExists = $false
if ($null -ne $dn) {
    try {
        $null = Get-ADObject -Identity $dn
        $ouExists = $true
    }
    catch [Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException] {
        $ouExists = $false
    }
    if ($ouExists) {
        $found = @(Get-ADGroup -SearchBase $dn -SearchScope Subtree -Filter "adminDescription -like 'Group_*'" -Properties 'adminDescription')
        foreach ($adGroup in $found) {
            $objectId = ([string]$adGroup.adminDescription).Substring($cloudAnchorPrefix.Length).ToLowerInvariant()
            $writtenBackDn[$objectId] = [string]$adGroup.DistinguishedName
        }
    }
}

$properties = 'id', 'displayName', 'groupTypes', 'securityEnabled', 'mailEnabled', 'onPremisesSyncEnabled', 'writebackConfiguration'
$cloudGroups = @(Get-MgBetaGroup -All -Property $properties | Where-Object { $_.OnPremisesSyncEnabled -ne $true })

$microsoft365Count = 0
$securityCount = 0
$securityEnabledCount = 0
$optedOut = New-Object -TypeName System.Collections.Generic.List[object]
$optedOutInOu = New-Object -TypeName System.Collections.Generic.List[object]
$securityInOu = New-Object -TypeName System.Collections.Generic.List[object]
foreach ($group in $cloudGroups) {
    $objectId = ([string]$group.Id).ToLowerInvariant()
    $inAdAs = $null
    if ($writtenBackDn.ContainsKey($objectId)) {
        $inAdAs = $writtenBackDn[$objectId]
    }
    $entry = [ordered]@{
        cloudObjectId = $objectId
        displayName   = [string]$group.DisplayName
        dn            = $inAdAs
    }
    $writebackEnabled = Get-WritebackEnabled -Group $group
    if (@($group.GroupTypes) -contains 'Unified') {
        $microsoft365Count++
        if ($writebackEnabled -eq $false) {
            $optedOut.Add($entry)
            if ($null -ne $inAdAs) {
                $optedOutInOu.Add($entry)
            }
        }
    }
    elseif ($group.SecurityEnabled -and -not $group.MailEnabled) {
        $securityCount++
        if ($writebackEnabled -eq $true) {
            $securityEnabledCount++
        }
        if ($null -ne $inAdAs) {
            $securityInOu.Add($entry)
        }
    }
}

$inOu = $null
if ($ouExists) {
    $inOu = [ordered]@{
        writtenBack          = $writtenBackDn.Count
        optedOutMicrosoft365 = New-GroupSet -Entries $optedOutInOu.ToArray() -Size $sampleSize
        security             = New-GroupSet -Entries $securityInOu.ToArray() -Size $sampleSize
    }
}

$result = [ordered]@{
    microsoft365Groups             = $microsoft365Count
    optedOutMicrosoft365Groups     = New-GroupSet -Entries $optedOut.ToArray() -Size $sampleSize
    securityGroups                 = $securityCount
    writebackEnabledSecurityGroups = $securityEnabledCount
    inOu                           = $inOu
}
ConvertTo-Json -InputObject $result -Compress -Depth 10
