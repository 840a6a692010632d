<#
.SYNOPSIS
    Prepares (open) or ends (close) the PowerShell session in which entra-writeback runs the EntraWriteback module.

.DESCRIPTION
    entra-writeback keeps one long-lived PowerShell session per Entra Connect server and runs this script
    once when the session starts and once before it ends.

    open:
      - switches console output to UTF-8 and hides progress bars;
      - imports the modules the EntraWriteback functions use, once for the whole session:
        ActiveDirectory, ADSync and AdSyncConfig (from its documented path under Program Files);
      - imports the EntraWriteback module from its text (the "module" argument: the backend sends
        powershell/module/EntraWriteback/EntraWriteback.psm1 as data, base64 inside the JSON arguments);
      - defines $global:EntraWritebackInvokeOperation, which runs one EntraWriteback function with the
        parameters decoded from JSON (splatted) and returns one line of JSON: the function's result and the
        warning, verbose and information messages it wrote;
      - for a remote Entra Connect server, opens one PowerShell remoting session to it (WinRM, or SSH with
        PowerShell 7), does the above there, and defines $global:EntraWritebackRunRemoteOperation, which runs
        $global:EntraWritebackInvokeOperation inside that remote session.
    close:
      - removes the remoting session, if any.

    A module that cannot be imported is reported, not fatal: a management host without ADSync can still
    run the Active Directory operations.

    The WinRM password is read from the environment variable ENTRA_WRITEBACK_REMOTE_PASSWORD, which is
    removed from the process environment at once. It never appears in arguments, output or errors.

    Writes one line of compressed JSON describing the session: {"result":{...},"messages":[]}.

.PARAMETER ArgumentsJson
    {"action":"open","transport":"local","module":"<text of EntraWriteback.psm1>"}
    {"action":"open","transport":"wsman","computerName":"connect01.contoso.com","username":"CONTOSO\\admin","port":5986,"useSsl":true,"timeoutMs":120000,"module":"..."}
    {"action":"open","transport":"ssh","computerName":"connect01.contoso.com","username":"admin","timeoutMs":120000,"module":"..."}
    {"action":"close"}

.EXAMPLE
    $module = Get-Content -Raw -LiteralPath ..\module\EntraWriteback\EntraWriteback.psm1
    .\_session.ps1 -ArgumentsJson (ConvertTo-Json -Compress -InputObject @{ action = 'open'; transport = 'local'; module = $module })
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string]$ArgumentsJson
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$passwordVariable = 'ENTRA_WRITEBACK_REMOTE_PASSWORD'

# Runs where the EntraWriteback functions run (this process, or the remote session): imports the modules they
# use and EntraWriteback itself, defines the operation runner, and reports one line per module.
$prepareSession = {
    param([string]$ModuleText, [string]$InvokeOperationText)

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
    Remove-Module -Name 'EntraWriteback' -ErrorAction SilentlyContinue
    $entraWriteback = New-Module -Name 'EntraWriteback' -ScriptBlock ([ScriptBlock]::Create($ModuleText))
    Import-Module -ModuleInfo $entraWriteback -Global
    "EntraWriteback: imported $(@(Get-Command -Module 'EntraWriteback' -CommandType Function).Count) functions"
    $global:EntraWritebackInvokeOperation = [ScriptBlock]::Create($InvokeOperationText)
}

# One call: the EntraWriteback function named, with the JSON arguments splatted as its parameters. Returns one
# JSON text: {"result":<what the function returned>,"messages":[{"stream":"warning","message":"..."},...]}.
$invokeOperation = {
    param([string]$CommandName, [string]$ArgumentsJson)

    $ErrorActionPreference = 'Stop'
    $command = Get-Command -Module 'EntraWriteback' -Name $CommandName -CommandType Function -ErrorAction SilentlyContinue
    if ($null -eq $command) {
        throw "The EntraWriteback module has no function '$CommandName'."
    }
    $parameters = @{}
    foreach ($property in (ConvertFrom-Json -InputObject $ArgumentsJson).PSObject.Properties) {
        $parameters[$property.Name] = $property.Value
    }
    if ($command.Parameters.ContainsKey('Confirm')) {
        $parameters['Confirm'] = $false
    }
    $parameters['Verbose'] = $true
    $parameters['InformationAction'] = 'Continue'
    $results = New-Object -TypeName System.Collections.Generic.List[object]
    $messages = New-Object -TypeName System.Collections.Generic.List[object]
    foreach ($item in @(& $command @parameters 3>&1 4>&1 6>&1)) {
        if ($item -is [System.Management.Automation.WarningRecord]) {
            $messages.Add([ordered]@{ stream = 'warning'; message = [string]$item.Message })
        }
        elseif ($item -is [System.Management.Automation.VerboseRecord]) {
            $messages.Add([ordered]@{ stream = 'verbose'; message = [string]$item.Message })
        }
        elseif ($item -is [System.Management.Automation.InformationRecord]) {
            $messages.Add([ordered]@{ stream = 'information'; message = [string]$item.MessageData })
        }
        else {
            $results.Add($item)
        }
    }
    if ($results.Count -ne 1) {
        throw "$CommandName wrote $($results.Count) objects to its output instead of one result."
    }
    ConvertTo-Json -Compress -Depth 10 -InputObject ([ordered]@{ result = $results[0]; messages = $messages.ToArray() })
}

function Remove-RemoteSession {
    $existing = Get-Variable -Name 'EntraWritebackRemoteSession' -Scope Global -ErrorAction SilentlyContinue
    if ($null -ne $existing) {
        Remove-PSSession -Session $existing.Value -ErrorAction SilentlyContinue
        Remove-Variable -Name 'EntraWritebackRemoteSession' -Scope Global
    }
    Remove-Variable -Name 'EntraWritebackRunRemoteOperation' -Scope Global -ErrorAction SilentlyContinue
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
    ConvertTo-Json -Compress -Depth 10 -InputObject ([ordered]@{ result = [ordered]@{ action = 'close' }; messages = @() })
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

$moduleText = [string]$arguments.module
$invokeOperationText = $invokeOperation.ToString()
if ($transport -eq 'local') {
    $moduleReport = @(& $prepareSession $moduleText $invokeOperationText)
}
elseif ($transport -eq 'wsman') {
    $global:EntraWritebackRemoteSession = New-WinRmSession -Settings $arguments
    $moduleReport = @(Invoke-Command -Session $global:EntraWritebackRemoteSession -ScriptBlock $prepareSession -ArgumentList $moduleText, $invokeOperationText)
    $global:EntraWritebackRunRemoteOperation = {
        param([string]$CommandName, [string]$OperationArgumentsJson)
        Invoke-Command -Session $global:EntraWritebackRemoteSession -ArgumentList $CommandName, $OperationArgumentsJson -ErrorAction Stop -ScriptBlock {
            param([string]$CommandName, [string]$OperationArgumentsJson)
            & $global:EntraWritebackInvokeOperation $CommandName $OperationArgumentsJson
        }
    }
}
elseif ($transport -eq 'ssh') {
    $global:EntraWritebackRemoteSession = New-SshSession -Settings $arguments
    # SSH lands in PowerShell 7 on the server; ADSync needs Windows PowerShell 5.1, so the module runs in a
    # Windows PowerShell session that the server opens for itself, created here once.
    $prepareSessionText = $prepareSession.ToString()
    $moduleReport = @(Invoke-Command -Session $global:EntraWritebackRemoteSession -ArgumentList $prepareSessionText, $moduleText, $invokeOperationText -ScriptBlock {
            param([string]$PrepareSessionText, [string]$ModuleText, [string]$InvokeOperationText)
            $global:EntraWritebackWindowsPowerShellSession = New-PSSession -UseWindowsPowerShell -ErrorAction Stop
            Invoke-Command -Session $global:EntraWritebackWindowsPowerShellSession -ScriptBlock ([ScriptBlock]::Create($PrepareSessionText)) -ArgumentList $ModuleText, $InvokeOperationText
        })
    $global:EntraWritebackRunRemoteOperation = {
        param([string]$CommandName, [string]$OperationArgumentsJson)
        Invoke-Command -Session $global:EntraWritebackRemoteSession -ArgumentList $CommandName, $OperationArgumentsJson -ErrorAction Stop -ScriptBlock {
            param([string]$CommandName, [string]$OperationArgumentsJson)
            Invoke-Command -Session $global:EntraWritebackWindowsPowerShellSession -ArgumentList $CommandName, $OperationArgumentsJson -ErrorAction Stop -ScriptBlock {
                param([string]$CommandName, [string]$OperationArgumentsJson)
                & $global:EntraWritebackInvokeOperation $CommandName $OperationArgumentsJson
            }
        }
    }
}
else {
    throw "Unknown transport '$transport': expected local, wsman or ssh."
}

$session = [ordered]@{
    action            = 'open'
    transport         = $transport
    powerShellVersion = $PSVersionTable.PSVersion.ToString()
    modules           = @($moduleReport | ForEach-Object { [string]$_ })
}
$result = [ordered]@{
    result   = $session
    messages = @()
}
ConvertTo-Json -Compress -Depth 10 -InputObject $result
