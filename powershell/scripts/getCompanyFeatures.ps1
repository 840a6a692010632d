<#
.SYNOPSIS
    Reports the tenant-wide directory synchronization features (Get-ADSyncAADCompanyFeature).

.DESCRIPTION
    UnifiedGroupWriteback is the original group writeback (v1), GroupWritebackV2 the deprecated v2 preview.

    Writes one line of compressed JSON:
    {"passwordHashSync":true,"forcePasswordChangeOnLogOn":false,"userWriteback":false,
     "deviceWriteback":false,"unifiedGroupWriteback":false,"groupWritebackV2":false}

.PARAMETER ArgumentsJson
    No arguments: {}

.EXAMPLE
    .\getCompanyFeatures.ps1

.NOTES
    Windows PowerShell 5.1 on the Entra Connect server, module ADSync.
#>
[CmdletBinding()]
param(
    [string]$ArgumentsJson = '{}'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function ConvertTo-CompanyFeatureResult {
    param(
        [Parameter(Mandatory)]
        [object]$Features
    )

    return [ordered]@{
        passwordHashSync           = [bool]$Features.PasswordHashSync
        forcePasswordChangeOnLogOn = [bool]$Features.ForcePasswordChangeOnLogOn
        userWriteback              = [bool]$Features.UserWriteback
        deviceWriteback            = [bool]$Features.DeviceWriteback
        unifiedGroupWriteback      = [bool]$Features.UnifiedGroupWriteback
        groupWritebackV2           = [bool]$Features.GroupWritebackV2
    }
}

$result = ConvertTo-CompanyFeatureResult -Features (Get-ADSyncAADCompanyFeature)
ConvertTo-Json -InputObject $result -Compress -Depth 10
