<#
.SYNOPSIS
    Starts an Entra Connect sync cycle (Start-ADSyncSyncCycle -PolicyType Delta or Initial).

.DESCRIPTION
    Start-ADSyncSyncCycle returns at once; the cycle runs in the background. While a cycle is running the
    cmdlet fails with "Sync is already running" or "... is busy"; while the scheduler is suspended it fails
    with "Scheduler is already suspended via global parameters".

    Writes one line of compressed JSON: {"result":"Success"}

.PARAMETER ArgumentsJson
    {"policyType":"Delta"}

.EXAMPLE
    .\startSyncCycle.ps1 -ArgumentsJson '{"policyType":"Initial"}'

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

$arguments = ConvertFrom-Json -InputObject $ArgumentsJson
$policyType = [string]$arguments.policyType

$started = Start-ADSyncSyncCycle -PolicyType $policyType
$outcome = [string]$started.Result
if ($outcome -ne 'Success') {
    throw "Start-ADSyncSyncCycle -PolicyType $policyType returned Result '$outcome' instead of Success."
}

$result = [ordered]@{
    result = $outcome
}
ConvertTo-Json -InputObject $result -Compress -Depth 10
