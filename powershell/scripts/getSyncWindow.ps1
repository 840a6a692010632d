<#
.SYNOPSIS
    Reports the pause-window marker entra-writeback keeps on this server while it has the sync scheduler paused.

.DESCRIPTION
    entra-writeback writes the marker (openSyncWindow.ps1) before it pauses the scheduler for a change and removes
    it (closeSyncWindow.ps1) once the scheduler runs again. A marker found later means a deployment was interrupted
    inside its window, or another stack's deployment is in one now. The marker is the registry value SyncWindow
    (REG_SZ, one line of JSON) under HKLM:\SOFTWARE\EntraWriteback; see docs/powershell-backend.md.

    Writes one line of compressed JSON: {"window":null,"serverTimeUtc":"2025-09-29T12:51:47.000Z"} or, with a marker,
    {"window":{"owner":"entra-writeback/production","change":"enabling Group Writeback V2","initialCycle":false,
     "openedAtUtc":"...","expiresAtUtc":"..."},"serverTimeUtc":"..."}

.PARAMETER ArgumentsJson
    No arguments: {}

.EXAMPLE
    .\getSyncWindow.ps1

.NOTES
    Windows PowerShell 5.1 on the Entra Connect server. Reads HKLM:\SOFTWARE\EntraWriteback.
#>
[CmdletBinding()]
param(
    [string]$ArgumentsJson = '{}'
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

function ConvertTo-UtcTime {
    param(
        [Parameter(Mandatory)]
        [object]$Value
    )

    # PowerShell 7 turns ISO 8601 text into DateTime in ConvertFrom-Json; Windows PowerShell 5.1 leaves text.
    if ($Value -is [DateTime]) {
        return $Value.ToUniversalTime()
    }
    $styles = [Globalization.DateTimeStyles]::AssumeUniversal -bor [Globalization.DateTimeStyles]::AdjustToUniversal
    return [DateTime]::Parse([string]$Value, [Globalization.CultureInfo]::InvariantCulture, $styles)
}

function Format-MarkerTime {
    param(
        [Parameter(Mandatory)]
        [DateTime]$Time
    )

    return $Time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", [Globalization.CultureInfo]::InvariantCulture)
}

function ConvertTo-SyncWindowResult {
    param(
        [AllowNull()]
        [object]$Marker
    )

    if ($null -eq $Marker) {
        return $null
    }
    return [ordered]@{
        owner        = [string]$Marker.owner
        change       = [string]$Marker.change
        initialCycle = [bool]$Marker.initialCycle
        openedAtUtc  = Format-MarkerTime -Time (ConvertTo-UtcTime -Value $Marker.openedAtUtc)
        expiresAtUtc = Format-MarkerTime -Time (ConvertTo-UtcTime -Value $Marker.expiresAtUtc)
    }
}

$result = [ordered]@{
    window        = ConvertTo-SyncWindowResult -Marker (Get-SyncWindowMarker)
    serverTimeUtc = Format-MarkerTime -Time (Get-Date)
}
ConvertTo-Json -InputObject $result -Compress -Depth 10
