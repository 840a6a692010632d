<#
.SYNOPSIS
    Turns the tenant-wide group writeback v2 flag on or off (Set-ADSyncAADCompanyFeature -GroupWritebackV2).

.DESCRIPTION
    This changes the Entra ID tenant, not only this server. Microsoft documents turning v2 off as
    irreversible, and current tenants refuse to turn it on. Run it only through the documented order
    (scheduler paused, no sync cycle running).

    When turning it on fails while the tenant's features can still be read, or the change does not
    stick, the error has the id EntraWriteback.FeatureRefused: the tenant refused it.

    Writes the same JSON as getCompanyFeatures.ps1, read after the change.

.PARAMETER ArgumentsJson
    {"enabled":true}

.EXAMPLE
    .\setGroupWritebackV2.ps1 -ArgumentsJson '{"enabled":true}'

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

$arguments = ConvertFrom-Json -InputObject $ArgumentsJson
$enabled = [bool]$arguments.enabled

# Splatted because the PowerShell grammar the project's tests parse with misreads "-GroupWritebackV2 $x"
# (a parameter name ending in a digit) as a redirection.
$featureParameters = @{
    GroupWritebackV2 = $enabled
}
$refusalMessage = $null
try {
    $null = Set-ADSyncAADCompanyFeature @featureParameters
}
catch {
    # An older build without the parameter, a busy server, or a failure while turning it off, is reported as it is.
    if (-not $enabled -or
        $_.Exception -is [System.Management.Automation.ParameterBindingException] -or
        $_.Exception.Message -match 'already running|is busy|in progress') {
        throw
    }
    $setError = $_
    # The tenant answers this read: the failed change was the tenant refusing it, not the connection.
    if ([bool](Get-ADSyncAADCompanyFeature).GroupWritebackV2) {
        throw $setError
    }
    $refusalMessage = "The tenant refused to turn on group writeback v2 (GroupWritebackV2): $($setError.Exception.Message)"
}

$result = ConvertTo-CompanyFeatureResult -Features (Get-ADSyncAADCompanyFeature)
if ($null -eq $refusalMessage -and $result.groupWritebackV2 -ne $enabled) {
    $refusalMessage = "Set-ADSyncAADCompanyFeature -GroupWritebackV2 `$$enabled returned, but the tenant still reports GroupWritebackV2 = $($result.groupWritebackV2)."
}
if ($null -ne $refusalMessage) {
    Write-Error -Message $refusalMessage -ErrorId 'EntraWriteback.FeatureRefused' -Category InvalidOperation
}
ConvertTo-Json -InputObject $result -Compress -Depth 10
