<#
.SYNOPSIS
    Reports the Entra Connect build of this server and whether it runs in staging mode.

.DESCRIPTION
    Reads Microsoft.Synchronize.ServerConfigurationVersion from Get-ADSyncGlobalSettings and
    StagingModeEnabled from Get-ADSyncScheduler.

    Writes one line of compressed JSON:
    {"computerName":"CONNECT01","connectVersion":"2.4.18.0","stagingModeEnabled":false}

.PARAMETER ArgumentsJson
    No arguments: {}

.EXAMPLE
    .\getServerInfo.ps1

.NOTES
    Windows PowerShell 5.1 on the Entra Connect server, module ADSync.
#>
[CmdletBinding()]
param(
    [string]$ArgumentsJson = '{}'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function Get-GlobalParameterValue {
    param(
        [Parameter(Mandatory)]
        [AllowNull()]
        [object]$Parameters,

        [Parameter(Mandatory)]
        [string]$Name
    )

    foreach ($parameter in $Parameters) {
        if ($parameter.Name -eq $Name) {
            return [string]$parameter.Value
        }
    }
    return $null
}

$globalSettings = Get-ADSyncGlobalSettings
$connectVersion = Get-GlobalParameterValue -Parameters $globalSettings.Parameters -Name 'Microsoft.Synchronize.ServerConfigurationVersion'
if ([string]::IsNullOrEmpty($connectVersion)) {
    throw 'Get-ADSyncGlobalSettings did not report Microsoft.Synchronize.ServerConfigurationVersion.'
}
$scheduler = Get-ADSyncScheduler

$result = [ordered]@{
    computerName       = [string]$env:COMPUTERNAME
    connectVersion     = $connectVersion
    stagingModeEnabled = [bool]$scheduler.StagingModeEnabled
}
ConvertTo-Json -InputObject $result -Compress -Depth 10
