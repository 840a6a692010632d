<#
.SYNOPSIS
    Enables or disables the Entra Connect sync scheduler, then reports every field of Get-ADSyncScheduler.

.DESCRIPTION
    Runs Set-ADSyncScheduler -SyncCycleEnabled. It does not wait for a running sync cycle to finish;
    the caller waits for SyncCycleInProgress to be false first.

    Writes the same JSON as getScheduler.ps1, read after the change.

.PARAMETER ArgumentsJson
    {"enabled":false}

.EXAMPLE
    .\setSchedulerSyncCycleEnabled.ps1 -ArgumentsJson '{"enabled":true}'

.NOTES
    Windows PowerShell 5.1 on the Entra Connect server, module ADSync.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string]$ArgumentsJson
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

$arguments = ConvertFrom-Json -InputObject $ArgumentsJson
$enabled = [bool]$arguments.enabled

$null = Set-ADSyncScheduler -SyncCycleEnabled $enabled

$result = ConvertTo-SchedulerResult -Scheduler (Get-ADSyncScheduler)
ConvertTo-Json -InputObject $result -Compress -Depth 10
