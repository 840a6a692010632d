<#
.SYNOPSIS
    Reports the server, its scheduler and the tenant's features in one call.

.DESCRIPTION
    What getServerInfo, getScheduler and getCompanyFeatures report, read together so that a refresh reads
    the server itself once: the Entra Connect build (Get-ADSyncGlobalSettings,
    Microsoft.Synchronize.ServerConfigurationVersion), every field of Get-ADSyncScheduler, and the
    directory synchronization features (Get-ADSyncAADCompanyFeature).

    Writes one line of compressed JSON:
    {"server":{"computerName":"CONNECT01","connectVersion":"2.4.18.0","stagingModeEnabled":false},
     "scheduler":{"allowedSyncCycleInterval":"00:30:00",...,"syncCycleInProgress":false},
     "features":{"passwordHashSync":true,...,"groupWritebackV2":false}}

.PARAMETER ArgumentsJson
    No arguments: {}

.EXAMPLE
    .\getServerState.ps1

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

$globalSettings = Get-ADSyncGlobalSettings
$connectVersion = Get-GlobalParameterValue -Parameters $globalSettings.Parameters -Name 'Microsoft.Synchronize.ServerConfigurationVersion'
if ([string]::IsNullOrEmpty($connectVersion)) {
    throw 'Get-ADSyncGlobalSettings did not report Microsoft.Synchronize.ServerConfigurationVersion.'
}
$scheduler = Get-ADSyncScheduler
$features = Get-ADSyncAADCompanyFeature

$result = [ordered]@{
    server    = [ordered]@{
        computerName       = [string]$env:COMPUTERNAME
        connectVersion     = $connectVersion
        stagingModeEnabled = [bool]$scheduler.StagingModeEnabled
    }
    scheduler = [ordered]@{
        allowedSyncCycleInterval            = Format-Interval -Interval $scheduler.AllowedSyncCycleInterval
        currentlyEffectiveSyncCycleInterval = Format-Interval -Interval $scheduler.CurrentlyEffectiveSyncCycleInterval
        customizedSyncCycleInterval         = Format-Interval -Interval $scheduler.CustomizedSyncCycleInterval
        nextSyncCyclePolicyType             = [string]$scheduler.NextSyncCyclePolicyType
        nextSyncCycleStartTimeInUtc         = Format-UtcTime -Time $scheduler.NextSyncCycleStartTimeInUTC
        purgeRunHistoryInterval             = Format-Interval -Interval $scheduler.PurgeRunHistoryInterval
        syncCycleEnabled                    = [bool]$scheduler.SyncCycleEnabled
        maintenanceEnabled                  = [bool]$scheduler.MaintenanceEnabled
        stagingModeEnabled                  = [bool]$scheduler.StagingModeEnabled
        schedulerSuspended                  = [bool]$scheduler.SchedulerSuspended
        syncCycleInProgress                 = [bool]$scheduler.SyncCycleInProgress
    }
    features  = [ordered]@{
        passwordHashSync           = [bool]$features.PasswordHashSync
        forcePasswordChangeOnLogOn = [bool]$features.ForcePasswordChangeOnLogOn
        userWriteback              = [bool]$features.UserWriteback
        deviceWriteback            = [bool]$features.DeviceWriteback
        unifiedGroupWriteback      = [bool]$features.UnifiedGroupWriteback
        groupWritebackV2           = [bool]$features.GroupWritebackV2
    }
}
ConvertTo-Json -InputObject $result -Compress -Depth 10
