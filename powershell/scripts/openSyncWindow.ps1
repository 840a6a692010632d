<#
.SYNOPSIS
    Opens entra-writeback's pause-window marker on this server before the sync scheduler is paused for a change.

.DESCRIPTION
    The marker is the registry value SyncWindow (REG_SZ, one line of JSON) under HKLM:\SOFTWARE\EntraWriteback; see
    docs/powershell-backend.md. While another stack's marker has not expired, this refuses (error id
    EntraWriteback.Refused) and changes nothing: two stacks must not pause and resume the same scheduler at once.
    An expired marker (its deployment died inside its window) or the caller's own marker is replaced, and the
    replaced marker is returned so the caller can say whose window it took over.

    Reading and writing the value are two steps: two deployments starting within the same moment could both
    pass the check. The window between them is a few milliseconds; the lease makes a lost race visible later.

    Writes one line of compressed JSON: {"window":{...the new marker...},"replaced":null}

.PARAMETER ArgumentsJson
    {"owner":"entra-writeback/production","change":"enabling Group Writeback V2","initialCycle":false,"leaseSeconds":2100}

.EXAMPLE
    .\openSyncWindow.ps1 -ArgumentsJson '{"owner":"entra-writeback/production","change":"enabling Group Writeback V2","initialCycle":false,"leaseSeconds":2100}'

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

$arguments = ConvertFrom-Json -InputObject $ArgumentsJson
$owner = [string]$arguments.owner
$now = Get-Date

$held = ConvertTo-SyncWindowResult -Marker (Get-SyncWindowMarker)
if ($null -ne $held -and $held.owner -ne $owner) {
    if ((ConvertTo-UtcTime -Value $held.expiresAtUtc) -gt $now.ToUniversalTime()) {
        $message = '{0} has the sync scheduler on {1} paused for {2} (its window opened {3} and lapses {4})' -f $held.owner, $env:COMPUTERNAME, $held.change, $held.openedAtUtc, $held.expiresAtUtc
        Write-Error -Message $message -ErrorId 'EntraWriteback.Refused' -Category ResourceBusy -TargetObject $registryPath
    }
}

$window = [ordered]@{
    owner        = $owner
    change       = [string]$arguments.change
    initialCycle = [bool]$arguments.initialCycle
    openedAtUtc  = Format-MarkerTime -Time $now
    expiresAtUtc = Format-MarkerTime -Time $now.AddSeconds([int]$arguments.leaseSeconds)
}
if (-not (Test-Path -LiteralPath $registryPath)) {
    $null = New-Item -Path $registryPath -Force
}
$null = New-ItemProperty -LiteralPath $registryPath -Name $valueName -Value (ConvertTo-Json -InputObject $window -Compress) -PropertyType String -Force

$result = [ordered]@{
    window   = $window
    replaced = $held
}
ConvertTo-Json -InputObject $result -Compress -Depth 10
