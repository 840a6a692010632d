<#
.SYNOPSIS
    Closes entra-writeback's pause-window marker on this server once the sync scheduler runs again.

.DESCRIPTION
    Removes the registry value SyncWindow under HKLM:\SOFTWARE\EntraWriteback when the given owner (project/stack)
    holds it. Another owner's marker is left alone, and {"closed":false} is returned.

    Writes one line of compressed JSON: {"closed":true}

.PARAMETER ArgumentsJson
    {"owner":"entra-writeback/production"}

.EXAMPLE
    .\closeSyncWindow.ps1 -ArgumentsJson '{"owner":"entra-writeback/production"}'

.NOTES
    Windows PowerShell 5.1 on the Entra Connect server. Writes HKLM:\SOFTWARE\EntraWriteback (local administrator).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string]$ArgumentsJson
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$registryPath = 'HKLM:\SOFTWARE\EntraWriteback'
$valueName = 'SyncWindow'

function Get-SyncWindowMarker {
    [CmdletBinding()]
    param()

    if (-not (Test-Path -LiteralPath $registryPath)) {
        return $null
    }
    $text = (Get-Item -LiteralPath $registryPath).GetValue($valueName, $null)
    if ([string]::IsNullOrWhiteSpace($text)) {
        return $null
    }
    return ConvertFrom-Json -InputObject $text
}

$arguments = ConvertFrom-Json -InputObject $ArgumentsJson
$owner = [string]$arguments.owner

$held = Get-SyncWindowMarker
$closed = $false
if ($null -ne $held -and [string]$held.owner -eq $owner) {
    Remove-ItemProperty -LiteralPath $registryPath -Name $valueName
    $closed = $true
}
$result = [ordered]@{
    closed = $closed
}
ConvertTo-Json -InputObject $result -Compress -Depth 10
