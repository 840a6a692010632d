<#
.SYNOPSIS
    Reports what the Entra Connect wizard configured for the original (v1) group writeback.

.DESCRIPTION
    Reads:
      - UnifiedGroupWriteback from Get-ADSyncAADCompanyFeature (tenant);
      - Microsoft.OptionalFeature.GroupWriteBack from Get-ADSyncGlobalSettings (this server);
      - the AD connector's global parameter Connector.GroupWriteBackContainerDn (the writeback OU);
      - whether the sync rule "Out to AD - Group SOAInAAD - DN" exists (the wizard's option
        "Writeback group Distinguished Name with cloud Display Name").

    Writes one line of compressed JSON:
    {"unifiedGroupWriteback":true,"optionalFeatureGroupWriteBack":true,
     "containerDn":"OU=Writeback,DC=contoso,DC=com","displayNameDn":false}

.PARAMETER ArgumentsJson
    No arguments: {}

.EXAMPLE
    .\getGroupWritebackV1Config.ps1

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

function Get-WritebackADConnector {
    $adConnectors = @(Get-ADSyncConnector | Where-Object { $_.ConnectorTypeName -eq 'AD' })
    if ($adConnectors.Count -eq 0) {
        throw 'This Entra Connect server has no Active Directory connector (Get-ADSyncConnector, ConnectorTypeName AD).'
    }
    # With several forests, group writeback belongs to the connector that has a writeback container.
    foreach ($connector in $adConnectors) {
        $containerDn = Get-GlobalParameterValue -Parameters $connector.GlobalParameters -Name 'Connector.GroupWriteBackContainerDn'
        if (-not [string]::IsNullOrEmpty($containerDn)) {
            return $connector
        }
    }
    return $adConnectors[0]
}

$features = Get-ADSyncAADCompanyFeature
$globalSettings = Get-ADSyncGlobalSettings
$optionalFeature = Get-GlobalParameterValue -Parameters $globalSettings.Parameters -Name 'Microsoft.OptionalFeature.GroupWriteBack'
$connector = Get-WritebackADConnector
$containerDn = Get-GlobalParameterValue -Parameters $connector.GlobalParameters -Name 'Connector.GroupWriteBackContainerDn'
if ([string]::IsNullOrEmpty($containerDn)) {
    $containerDn = $null
}
$displayNameRule = @(Get-ADSyncRule | Where-Object { $_.Name -eq 'Out to AD - Group SOAInAAD - DN' })

$result = [ordered]@{
    unifiedGroupWriteback         = [bool]$features.UnifiedGroupWriteback
    optionalFeatureGroupWriteBack = ($optionalFeature -eq 'True')
    containerDn                   = $containerDn
    displayNameDn                 = ($displayNameRule.Count -gt 0)
}
ConvertTo-Json -InputObject $result -Compress -Depth 10
