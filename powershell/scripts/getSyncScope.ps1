<#
.SYNOPSIS
    Reports the AD connector's OU filtering: the containers it synchronizes and the ones it excludes.

.DESCRIPTION
    Reads the container inclusion and exclusion lists of every selected partition (domain) of the AD
    connector (Get-ADSyncConnector, Partitions, ConnectorPartitionScope). With several AD connectors it
    reads the one that has a group writeback container, otherwise the first.

    Writes one line of compressed JSON:
    {"connectorName":"contoso.com","includedContainers":["DC=contoso,DC=com"],
     "excludedContainers":["OU=Disabled,DC=contoso,DC=com"]}

.PARAMETER ArgumentsJson
    No arguments: {}

.EXAMPLE
    .\getSyncScope.ps1

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

function Resolve-ConnectorAccountDn {
    param(
        [Parameter(Mandatory)]
        [object]$Connector
    )

    # The account the connector exports with, as Get-ADSyncADConnectorAccount reads it.
    $user = Get-GlobalParameterValue -Parameters $Connector.ConnectivityParameters -Name 'forest-login-user'
    $domain = Get-GlobalParameterValue -Parameters $Connector.ConnectivityParameters -Name 'forest-login-domain'
    if ([string]::IsNullOrEmpty($user)) {
        return $null
    }
    try {
        if ([string]::IsNullOrEmpty($domain)) {
            return [string](Get-ADUser -Identity $user).DistinguishedName
        }
        return [string](Get-ADUser -Identity $user -Server $domain).DistinguishedName
    }
    catch {
        # Unresolvable here (another forest, no rights): the caller then cannot check the account.
        return $null
    }
}

$connector = Get-WritebackADConnector
$includedContainers = New-Object -TypeName System.Collections.Generic.List[string]
$excludedContainers = New-Object -TypeName System.Collections.Generic.List[string]
foreach ($partition in @($connector.Partitions)) {
    $selected = $partition.PSObject.Properties['Selected']
    if ($null -ne $selected -and -not [bool]$selected.Value) {
        continue
    }
    foreach ($container in @($partition.ConnectorPartitionScope.ContainerInclusionList)) {
        $includedContainers.Add([string]$container)
    }
    foreach ($container in @($partition.ConnectorPartitionScope.ContainerExclusionList)) {
        $excludedContainers.Add([string]$container)
    }
}

$result = [ordered]@{
    connectorName      = [string]$connector.Name
    connectorAccountDn = Resolve-ConnectorAccountDn -Connector $connector
    includedContainers = $includedContainers.ToArray()
    excludedContainers = $excludedContainers.ToArray()
}
ConvertTo-Json -InputObject $result -Compress -Depth 10
