<#
.SYNOPSIS
    Prepares (open) or ends (close) the PowerShell session in which entra-writeback runs its operation scripts.

.DESCRIPTION
    entra-writeback keeps one long-lived PowerShell session per Entra Connect server and runs this script
    once when the session starts and once before it ends.

    open:
      - switches console output to UTF-8 and hides progress bars;
      - imports the modules the operation scripts use, once for the whole session:
        ActiveDirectory, ADSync and AdSyncConfig (from its documented path under Program Files);
      - for a remote Entra Connect server, opens one PowerShell remoting session to it (WinRM, or SSH with
        PowerShell 7), imports the modules there, and defines $global:EntraWritebackRunRemoteScript, which
        runs an operation script inside that remote session.
    close:
      - removes the remoting session, if any.

    A module that cannot be imported is reported, not fatal: a management host without ADSync can still
    run the Active Directory operations.

    The WinRM password is read from the environment variable ENTRA_WRITEBACK_REMOTE_PASSWORD, which is
    removed from the process environment at once. It never appears in arguments, output or errors.

    Writes one line of compressed JSON describing the session.

.PARAMETER ArgumentsJson
    {"action":"open","transport":"local"}
    {"action":"open","transport":"wsman","computerName":"connect01.contoso.com","username":"CONTOSO\\admin","port":5986,"useSsl":true,"timeoutMs":120000}
    {"action":"open","transport":"ssh","computerName":"connect01.contoso.com","username":"admin","timeoutMs":120000}
    {"action":"close"}

.EXAMPLE
    .\_session.ps1 -ArgumentsJson '{"action":"open","transport":"local"}'
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string]$ArgumentsJson
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$passwordVariable = 'ENTRA_WRITEBACK_REMOTE_PASSWORD'

# Runs where the operation scripts run (this process, or the remote session) and reports one line per module.
$importModules = {
    $ErrorActionPreference = 'Stop'
    $adSyncConfigPaths = @(
        (Join-Path -Path $env:ProgramFiles -ChildPath 'Microsoft Azure Active Directory Connect\AdSyncConfig\AdSyncConfig.psm1'),
        (Join-Path -Path $env:ProgramFiles -ChildPath 'Microsoft Entra Connect\AdSyncConfig\ADSyncConfig.psm1')
    )
    $adSyncConfigPath = $adSyncConfigPaths | Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
    $modules = @(
        @{ Name = 'ActiveDirectory'; Location = 'ActiveDirectory' },
        @{ Name = 'ADSync'; Location = 'ADSync' },
        @{ Name = 'AdSyncConfig'; Location = $adSyncConfigPath }
    )
    foreach ($module in $modules) {
        if ([string]::IsNullOrEmpty($module.Location)) {
            "$($module.Name): not imported: not found at $($adSyncConfigPaths -join ' or ')"
            continue
        }
        try {
            $imported = Import-Module -Name $module.Location -Global -PassThru -WarningAction SilentlyContinue
            "$($module.Name): imported $(@($imported)[0].Version)"
        }
        catch {
            "$($module.Name): not imported: $($_.Exception.Message)"
        }
    }
}

function Remove-RemoteSession {
    $existing = Get-Variable -Name 'EntraWritebackRemoteSession' -Scope Global -ErrorAction SilentlyContinue
    if ($null -ne $existing) {
        Remove-PSSession -Session $existing.Value -ErrorAction SilentlyContinue
        Remove-Variable -Name 'EntraWritebackRemoteSession' -Scope Global
    }
    Remove-Variable -Name 'EntraWritebackRunRemoteScript' -Scope Global -ErrorAction SilentlyContinue
}

function Get-RemotePassword {
    $password = [Environment]::GetEnvironmentVariable($passwordVariable)
    [Environment]::SetEnvironmentVariable($passwordVariable, $null)
    return $password
}

function New-WinRmSession {
    param([Parameter(Mandatory)]$Settings)

    $password = Get-RemotePassword
    $sessionOption = New-PSSessionOption -OpenTimeout $Settings.timeoutMs -OperationTimeout $Settings.timeoutMs
    $sessionParameters = @{
        ComputerName  = $Settings.computerName
        SessionOption = $sessionOption
    }
    if (-not [string]::IsNullOrEmpty($password)) {
        $securePassword = ConvertTo-SecureString -String $password -AsPlainText -Force
        $sessionParameters.Credential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList $Settings.username, $securePassword
    }
    $password = $null
    if ($null -ne $Settings.port) {
        $sessionParameters.Port = $Settings.port
    }
    if ($Settings.useSsl -eq $true) {
        $sessionParameters.UseSSL = $true
    }
    return New-PSSession @sessionParameters
}

function New-SshSession {
    param([Parameter(Mandatory)]$Settings)

    if ($PSVersionTable.PSVersion.Major -lt 7) {
        throw 'SSH remoting needs PowerShell 7 (pwsh) on this machine; Windows PowerShell 5.1 has only WinRM remoting.'
    }
    $sessionParameters = @{
        HostName = $Settings.computerName
        UserName = $Settings.username
    }
    if ($null -ne $Settings.port) {
        $sessionParameters.Port = $Settings.port
    }
    return New-PSSession @sessionParameters
}

$arguments = ConvertFrom-Json -InputObject $ArgumentsJson

if ($arguments.action -eq 'close') {
    Remove-RemoteSession
    ConvertTo-Json -Compress -Depth 10 -InputObject ([ordered]@{ action = 'close' })
    return
}

try {
    [Console]::OutputEncoding = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false
}
catch {
    # No console is attached (output is redirected): results are base64 text anyway.
    Write-Verbose -Message "Console output encoding unchanged: $($_.Exception.Message)"
}
$global:OutputEncoding = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false
$global:ProgressPreference = 'SilentlyContinue'

$transport = [string]$arguments.transport
Remove-RemoteSession

if ($transport -eq 'local') {
    $moduleReport = @(& $importModules)
}
elseif ($transport -eq 'wsman') {
    $global:EntraWritebackRemoteSession = New-WinRmSession -Settings $arguments
    $moduleReport = @(Invoke-Command -Session $global:EntraWritebackRemoteSession -ScriptBlock $importModules)
    $global:EntraWritebackRunRemoteScript = {
        param([string]$ScriptText, [string]$OperationArgumentsJson)
        Invoke-Command -Session $global:EntraWritebackRemoteSession -ScriptBlock ([ScriptBlock]::Create($ScriptText)) -ArgumentList $OperationArgumentsJson -ErrorAction Stop
    }
}
elseif ($transport -eq 'ssh') {
    $global:EntraWritebackRemoteSession = New-SshSession -Settings $arguments
    # SSH lands in PowerShell 7 on the server; ADSync needs Windows PowerShell 5.1, so the scripts run in a
    # Windows PowerShell session that the server opens for itself, created here once.
    $moduleReport = @(Invoke-Command -Session $global:EntraWritebackRemoteSession -ArgumentList $importModules.ToString() -ScriptBlock {
            param([string]$ImportModulesText)
            $global:EntraWritebackWindowsPowerShellSession = New-PSSession -UseWindowsPowerShell -ErrorAction Stop
            Invoke-Command -Session $global:EntraWritebackWindowsPowerShellSession -ScriptBlock ([ScriptBlock]::Create($ImportModulesText))
        })
    $global:EntraWritebackRunRemoteScript = {
        param([string]$ScriptText, [string]$OperationArgumentsJson)
        Invoke-Command -Session $global:EntraWritebackRemoteSession -ArgumentList $ScriptText, $OperationArgumentsJson -ErrorAction Stop -ScriptBlock {
            param([string]$ScriptText, [string]$OperationArgumentsJson)
            Invoke-Command -Session $global:EntraWritebackWindowsPowerShellSession -ScriptBlock ([ScriptBlock]::Create($ScriptText)) -ArgumentList $OperationArgumentsJson -ErrorAction Stop
        }
    }
}
else {
    throw "Unknown transport '$transport': expected local, wsman or ssh."
}

$result = [ordered]@{
    action            = 'open'
    transport         = $transport
    powerShellVersion = $PSVersionTable.PSVersion.ToString()
    modules           = @($moduleReport | ForEach-Object { [string]$_ })
}
ConvertTo-Json -Compress -Depth 10 -InputObject $result
