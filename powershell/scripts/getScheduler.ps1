<#
.SYNOPSIS
    Reports every field of Get-ADSyncScheduler.

.DESCRIPTION
    Maps the Get-ADSyncScheduler properties to camelCase names. Intervals (TimeSpan) are written as
    d.hh:mm:ss text (TimeSpan format "c", e.g. 00:30:00 or 7.00:00:00), the next start time as ISO 8601 UTC.

    Writes one line of compressed JSON:
    {"allowedSyncCycleInterval":"00:30:00","currentlyEffectiveSyncCycleInterval":"00:30:00",
     "customizedSyncCycleInterval":null,"nextSyncCyclePolicyType":"Delta",
     "nextSyncCycleStartTimeInUtc":"2025-09-29T12:51:47.000Z","purgeRunHistoryInterval":"7.00:00:00",
     "syncCycleEnabled":true,"maintenanceEnabled":true,"stagingModeEnabled":false,
     "schedulerSuspended":false,"syncCycleInProgress":false}

.PARAMETER ArgumentsJson
    No arguments: {}

.EXAMPLE
    .\getScheduler.ps1

.NOTES
    Windows PowerShell 5.1 on the Entra Connect server, module ADSync.
#>
[CmdletBinding()]
param(
    [string]$ArgumentsJson = '{}'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function Format-Interval {
    param(
        [Parameter(Mandatory)]
        [AllowNull()]
        [object]$Interval
    )

    if ($null -eq $Interval) {
        return $null
    }
    return ([TimeSpan]$Interval).ToString('c', [Globalization.CultureInfo]::InvariantCulture)
}

function Format-UtcTime {
    param(
        [Parameter(Mandatory)]
        [DateTime]$Time
    )

    if ($Time.Kind -eq [DateTimeKind]::Local) {
        $utcTime = $Time.ToUniversalTime()
    }
    else {
        # Get-ADSyncScheduler reports the time in UTC (the property is ...InUTC) even when Kind is Unspecified.
        $utcTime = [DateTime]::SpecifyKind($Time, [DateTimeKind]::Utc)
    }
    return $utcTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", [Globalization.CultureInfo]::InvariantCulture)
}

function ConvertTo-SchedulerResult {
    param(
        [Parameter(Mandatory)]
        [object]$Scheduler
    )

    return [ordered]@{
        allowedSyncCycleInterval            = Format-Interval -Interval $Scheduler.AllowedSyncCycleInterval
        currentlyEffectiveSyncCycleInterval = Format-Interval -Interval $Scheduler.CurrentlyEffectiveSyncCycleInterval
        customizedSyncCycleInterval         = Format-Interval -Interval $Scheduler.CustomizedSyncCycleInterval
        nextSyncCyclePolicyType             = [string]$Scheduler.NextSyncCyclePolicyType
        nextSyncCycleStartTimeInUtc         = Format-UtcTime -Time $Scheduler.NextSyncCycleStartTimeInUTC
        purgeRunHistoryInterval             = Format-Interval -Interval $Scheduler.PurgeRunHistoryInterval
        syncCycleEnabled                    = [bool]$Scheduler.SyncCycleEnabled
        maintenanceEnabled                  = [bool]$Scheduler.MaintenanceEnabled
        stagingModeEnabled                  = [bool]$Scheduler.StagingModeEnabled
        schedulerSuspended                  = [bool]$Scheduler.SchedulerSuspended
        syncCycleInProgress                 = [bool]$Scheduler.SyncCycleInProgress
    }
}

$result = ConvertTo-SchedulerResult -Scheduler (Get-ADSyncScheduler)
ConvertTo-Json -InputObject $result -Compress -Depth 10
