<#
.SYNOPSIS
    Grants the connector account the group writeback permissions in every domain of the forest, with
    Microsoft's Set-ADSyncUnifiedGroupWritebackPermissions (module AdSyncConfig).

.DESCRIPTION
    Runs the documented
        Set-ADSyncUnifiedGroupWritebackPermissions -ADConnectorAccountDN <dn> -Confirm:$false
    which grants "GRGWCCDCSDDT;;group" (inherited by group objects) on the root of every domain of the forest.
    It cannot be undone by this project: remove the entries by hand if you need to.
    Before Entra Connect 2.0.3.0 the module also changes the AdminSDHolder container unless told not to.

    Writes one line of compressed JSON with the domains of the forest:
    {"domainDns":["DC=contoso,DC=com","DC=emea,DC=contoso,DC=com"]}

.PARAMETER ArgumentsJson
    {"accountDn":"CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com"}

.EXAMPLE
    Import-Module "C:\Program Files\Microsoft Azure Active Directory Connect\AdSyncConfig\AdSyncConfig.psm1"
    .\setForestWritebackPermissions.ps1 -ArgumentsJson '{"accountDn":"CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com"}'

.NOTES
    Windows PowerShell 5.1, modules AdSyncConfig and ActiveDirectory. Needs Enterprise Admin (Domain Admin
    in every domain of the forest).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string]$ArgumentsJson
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$arguments = ConvertFrom-Json -InputObject $ArgumentsJson
$accountDn = [string]$arguments.accountDn

# AdSyncConfig is a script module: -ErrorAction Stop makes its Write-Error calls stop here too.
$null = Set-ADSyncUnifiedGroupWritebackPermissions -ADConnectorAccountDN $accountDn -Confirm:$false -ErrorAction Stop

$domainDns = New-Object -TypeName System.Collections.Generic.List[string]
foreach ($domainName in @((Get-ADForest).Domains)) {
    $domainDns.Add([string](Get-ADDomain -Server $domainName).DistinguishedName)
}

$result = [ordered]@{
    domainDns = $domainDns.ToArray()
}
ConvertTo-Json -InputObject $result -Compress -Depth 10
