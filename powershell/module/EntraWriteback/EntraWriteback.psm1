<#
    EntraWriteback: the operations entra-writeback runs on a Microsoft Entra Connect server, one function per
    operation of its contract (operations/contract.ts; the table is powershell/commands.json).

    entra-writeback imports this module once per PowerShell session and calls the functions with parameters
    decoded from JSON. An administrator can import it by hand and run the same functions:

        Import-Module .\EntraWriteback.psd1
        Get-Help Set-EntraWritebackGroupWritebackV2 -Full
        Set-EntraWritebackGroupWritebackV2 -Enabled $true -WhatIf

    Each function returns one ordered dictionary (the contract's camelCase fields). Functions that change
    something support -WhatIf and -Confirm. The module needs the ADSync module (on the Entra Connect server),
    ActiveDirectory, and for Set-EntraWritebackForestPermission the AdSyncConfig module; it imports none of
    them itself.
#>
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# The pause-window marker (Open-, Get-, Close-EntraWritebackSyncWindow): a registry value.
$registryPath = 'HKLM:\SOFTWARE\EntraWriteback'
$valueName = 'SyncWindow'

# The schemaIDGUID of the AD schema class "group".
$groupSchemaClassGuid = [Guid]'bf967a9c-0de6-11d0-a285-00aa003049e2'

# Exactly what Set-ADSyncUnifiedGroupWritebackPermissions grants (dsacls "GRGWCCDCSDDT;;group" /I:S):
# generic read and write, create and delete child, delete, delete tree, on group objects below the OU.
$writebackRights = [System.DirectoryServices.ActiveDirectoryRights]'GenericRead, GenericWrite, CreateChild, DeleteChild, Delete, DeleteTree'

# Entra Connect writes a written-back group's cloud object id into adminDescription as Group_<objectId>.
$cloudAnchorPrefix = 'Group_'

# ----- private helpers (not exported) -----

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

function ConvertTo-ServerInfoResult {
    param(
        [Parameter(Mandatory)]
        [object]$GlobalSettings,

        [Parameter(Mandatory)]
        [object]$Scheduler
    )

    $connectVersion = Get-GlobalParameterValue -Parameters $GlobalSettings.Parameters -Name 'Microsoft.Synchronize.ServerConfigurationVersion'
    if ([string]::IsNullOrEmpty($connectVersion)) {
        throw 'Get-ADSyncGlobalSettings did not report Microsoft.Synchronize.ServerConfigurationVersion.'
    }
    return [ordered]@{
        computerName       = [string]$env:COMPUTERNAME
        connectVersion     = $connectVersion
        stagingModeEnabled = [bool]$Scheduler.StagingModeEnabled
    }
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
    # A marker written by an earlier version of this module has no held field: it is returned without one, and
    # entra-writeback reads such a marker's change instead (domain/syncWindow.ts, isHeldWindow).
    $heldField = $Marker.PSObject.Properties['held']
    $result = [ordered]@{
        owner        = [string]$Marker.owner
        change       = [string]$Marker.change
        initialCycle = [bool]$Marker.initialCycle
        openedAtUtc  = Format-MarkerTime -Time (ConvertTo-UtcTime -Value $Marker.openedAtUtc)
        expiresAtUtc = Format-MarkerTime -Time (ConvertTo-UtcTime -Value $Marker.expiresAtUtc)
        held         = ($null -ne $heldField) -and [bool]$heldField.Value
    }
    if ($null -eq $heldField) {
        $result.Remove('held')
    }
    return $result
}

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

function Get-WritebackADConnector {
    $adConnectors = @(Get-ADSyncConnector | Where-Object { $_.ConnectorTypeName -eq 'AD' })
    if ($adConnectors.Count -eq 0) {
        throw 'This Entra Connect server has no Active Directory connector (Get-ADSyncConnector, ConnectorTypeName AD).'
    }
    # With several forests, group writeback belongs to the connector that has a writeback container.
    foreach ($connector in $adConnectors) {
        $containerDn = Get-GlobalParameterValue -Parameters $connector.GlobalParameters -Name 'Connector.GroupWriteBackContainerDn'
        if (-not [string]::IsNullOrEmpty($containerDn)) {
            return $connector
        }
    }
    return $adConnectors[0]
}

function Resolve-ConnectorAccountDn {
    param(
        [Parameter(Mandatory)]
        [object]$Connector
    )

    # The account the connector exports with, as Get-ADSyncADConnectorAccount reads it.
    $user = Get-GlobalParameterValue -Parameters $Connector.ConnectivityParameters -Name 'forest-login-user'
    $domain = Get-GlobalParameterValue -Parameters $Connector.ConnectivityParameters -Name 'forest-login-domain'
    if ([string]::IsNullOrEmpty($user)) {
        return $null
    }
    try {
        if ([string]::IsNullOrEmpty($domain)) {
            return [string](Get-ADUser -Identity $user).DistinguishedName
        }
        return [string](Get-ADUser -Identity $user -Server $domain).DistinguishedName
    }
    catch {
        # Unresolvable here (another forest, no rights): the caller then cannot check the account.
        return $null
    }
}

function Get-OrganizationalUnitState {
    param(
        [Parameter(Mandatory)]
        [string]$Dn
    )

    try {
        $unit = Get-ADOrganizationalUnit -Identity $Dn -Properties 'ProtectedFromAccidentalDeletion'
    }
    catch [Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException] {
        return [ordered]@{
            exists = $false
            dn     = $Dn
        }
    }
    $children = @(Get-ADObject -SearchBase $unit.DistinguishedName -SearchScope OneLevel -Filter '*')
    return [ordered]@{
        exists                          = $true
        dn                              = [string]$unit.DistinguishedName
        name                            = [string]$unit.Name
        protectedFromAccidentalDeletion = [bool]$unit.ProtectedFromAccidentalDeletion
        childCount                      = $children.Count
    }
}

function Resolve-AccountSid {
    param(
        [Parameter(Mandatory)]
        [string]$AccountDn
    )

    $account = Get-ADObject -Identity $AccountDn -Properties 'objectSid'
    if ($null -eq $account.objectSid) {
        throw "The account $AccountDn has no security identifier (objectSid); name a user, group or computer."
    }
    return [System.Security.Principal.SecurityIdentifier]$account.objectSid
}

function ConvertTo-RightName {
    param(
        [Parameter(Mandatory)]
        [System.DirectoryServices.ActiveDirectoryRights]$Rights
    )

    # Composite rights first (GenericRead = ReadControl, ListChildren, ReadProperty, ListObject and so on),
    # then the single rights they do not cover; sorted ordinally like the contract.
    $mask = [int64]$Rights
    $covered = [int64]0
    $names = New-Object -TypeName System.Collections.Generic.List[string]
    foreach ($composite in @('GenericAll', 'GenericRead', 'GenericWrite')) {
        $bits = [int64][System.DirectoryServices.ActiveDirectoryRights]$composite
        if (($mask -band $bits) -eq $bits -and ($covered -band $bits) -ne $bits) {
            $names.Add($composite)
            $covered = $covered -bor $bits
        }
    }
    $singleRights = @('CreateChild', 'DeleteChild', 'ListChildren', 'Self', 'ReadProperty', 'WriteProperty', 'DeleteTree',
        'ListObject', 'ExtendedRight', 'Delete', 'ReadControl', 'WriteDacl', 'WriteOwner')
    foreach ($single in $singleRights) {
        $bit = [int64][System.DirectoryServices.ActiveDirectoryRights]$single
        if (($mask -band $bit) -ne 0 -and ($covered -band $bit) -eq 0) {
            $names.Add($single)
        }
    }
    $sorted = $names.ToArray()
    [Array]::Sort($sorted, [StringComparer]::Ordinal)
    return $sorted
}

function ConvertTo-AccessRuleResult {
    param(
        [Parameter(Mandatory)]
        [System.DirectoryServices.ActiveDirectoryAccessRule]$Rule
    )

    $inheritedObjectType = $null
    if ($Rule.InheritedObjectType -eq $groupSchemaClassGuid) {
        $inheritedObjectType = 'group'
    }
    elseif ($Rule.InheritedObjectType -ne [Guid]::Empty) {
        $inheritedObjectType = $Rule.InheritedObjectType.ToString()
    }
    return [ordered]@{
        rights              = @(ConvertTo-RightName -Rights $Rule.ActiveDirectoryRights)
        accessControlType   = [string]$Rule.AccessControlType
        inheritanceType     = [string]$Rule.InheritanceType
        inheritedObjectType = $inheritedObjectType
        isInherited         = [bool]$Rule.IsInherited
    }
}

function Get-AccountAccessRule {
    param(
        [Parameter(Mandatory)]
        [string]$Dn,

        [Parameter(Mandatory)]
        [System.Security.Principal.SecurityIdentifier]$Sid
    )

    $acl = Get-Acl -LiteralPath "AD:\$Dn"
    foreach ($rule in $acl.GetAccessRules($true, $true, [System.Security.Principal.SecurityIdentifier])) {
        if ($rule.IdentityReference.Value -eq $Sid.Value) {
            ConvertTo-AccessRuleResult -Rule $rule
        }
    }
}

function Test-WritebackAccessRule {
    param(
        [Parameter(Mandatory)]
        [System.DirectoryServices.ActiveDirectoryAccessRule]$Rule,

        [Parameter(Mandatory)]
        [System.Security.Principal.SecurityIdentifier]$Sid
    )

    return $Rule.IdentityReference.Value -eq $Sid.Value -and
        -not $Rule.IsInherited -and
        $Rule.AccessControlType -eq [System.Security.AccessControl.AccessControlType]::Allow -and
        [int64]$Rule.ActiveDirectoryRights -eq [int64]$writebackRights -and
        $Rule.InheritanceType -eq [System.DirectoryServices.ActiveDirectorySecurityInheritance]::Descendents -and
        $Rule.ObjectType -eq [Guid]::Empty -and
        $Rule.InheritedObjectType -eq $groupSchemaClassGuid
}

function ConvertTo-ComparableDn {
    param(
        [Parameter(Mandatory)]
        [string]$Dn
    )

    return ($Dn.Trim() -replace '\s*,\s*', ',')
}

function Test-DnWithin {
    param(
        [Parameter(Mandatory)]
        [string]$Dn,

        [Parameter(Mandatory)]
        [string]$BaseDn
    )

    $candidate = ConvertTo-ComparableDn -Dn $Dn
    $base = ConvertTo-ComparableDn -Dn $BaseDn
    return $candidate.Equals($base, [StringComparison]::OrdinalIgnoreCase) -or
        $candidate.EndsWith(',' + $base, [StringComparison]::OrdinalIgnoreCase)
}

function Get-DeltaAttributeValue {
    param(
        [Parameter(Mandatory)]
        [System.Xml.XmlElement]$Delta,

        [Parameter(Mandatory)]
        [string]$Name
    )

    foreach ($attribute in $Delta.SelectNodes('attr')) {
        if ($attribute.GetAttribute('name') -eq $Name) {
            $value = $attribute.SelectSingleNode('value')
            if ($null -ne $value) {
                return $value.InnerText
            }
        }
    }
    return $null
}

function ConvertTo-PendingExport {
    param(
        [Parameter(Mandatory)]
        [System.Xml.XmlElement]$ConnectorSpaceObject,

        [Parameter(Mandatory)]
        [System.Xml.XmlElement]$Delta
    )

    $modification = switch ($Delta.GetAttribute('operation')) {
        'add' { 'add' }
        'update' { 'update' }
        'replace' { 'update' }
        'delete-add' { 'update' }
        'delete' { 'delete' }
        default { $null }
    }
    if ($null -eq $modification) {
        return
    }
    $dn = $Delta.GetAttribute('dn')
    if ([string]::IsNullOrEmpty($dn)) {
        $dn = $ConnectorSpaceObject.GetAttribute('cs-dn')
    }
    $cloudAnchor = Get-DeltaAttributeValue -Delta $Delta -Name 'adminDescription'
    if ([string]::IsNullOrEmpty($cloudAnchor) -and $dn -match '^CN=(Group_[0-9A-Fa-f-]{36}),') {
        $cloudAnchor = $Matches[1]
    }
    $cloudObjectId = $null
    if ($cloudAnchor -match '^Group_([0-9A-Fa-f-]{36})$') {
        $cloudObjectId = $Matches[1]
    }

    return [ordered]@{
        dn            = $dn
        modification  = $modification
        objectType    = $ConnectorSpaceObject.GetAttribute('object-type')
        cloudObjectId = $cloudObjectId
        displayName   = Get-DeltaAttributeValue -Delta $Delta -Name 'displayName'
    }
}

function Get-WritebackEnabled {
    param(
        [Parameter(Mandatory)]
        [object]$Group
    )

    $configuration = $Group.WritebackConfiguration
    if ($null -eq $configuration) {
        return $null
    }
    return $configuration.IsEnabled
}

function New-GroupSet {
    param(
        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [object[]]$Entries,

        [Parameter(Mandatory)]
        [int]$Size
    )

    # Ordinal order by display name, then object id: the same order on every server and in the simulator.
    $sorted = New-Object -TypeName System.Collections.Generic.List[object]
    foreach ($entry in $Entries) {
        $sorted.Add($entry)
    }
    $sorted.Sort([System.Comparison[object]] {
            param($left, $right)
            $byName = [string]::CompareOrdinal([string]$left.displayName, [string]$right.displayName)
            if ($byName -ne 0) {
                return $byName
            }
            return [string]::CompareOrdinal([string]$left.cloudObjectId, [string]$right.cloudObjectId)
        })
    return [ordered]@{
        count  = $sorted.Count
        sample = @($sorted.GetRange(0, [Math]::Min($Size, $sorted.Count)).ToArray())
    }
}

# ----- one function per contract operation -----

function Get-EntraWritebackServerInfo {
    <#
    .SYNOPSIS
        Reports the Entra Connect build of this server and whether it runs in staging mode.

    .DESCRIPTION
        Reads Microsoft.Synchronize.ServerConfigurationVersion from Get-ADSyncGlobalSettings and
        StagingModeEnabled from Get-ADSyncScheduler.

        Returns an ordered dictionary, shown here as the JSON entra-writeback receives:
        {"computerName":"CONNECT01","connectVersion":"2.4.18.0","stagingModeEnabled":false}

    .EXAMPLE
        Get-EntraWritebackServerInfo

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1 on the Entra Connect server, module ADSync.

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/reference-connect-adsync
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param()

    ConvertTo-ServerInfoResult -GlobalSettings (Get-ADSyncGlobalSettings) -Scheduler (Get-ADSyncScheduler)
}

function Get-EntraWritebackScheduler {
    <#
    .SYNOPSIS
        Reports every field of Get-ADSyncScheduler.

    .DESCRIPTION
        Maps the Get-ADSyncScheduler properties to camelCase names. Intervals (TimeSpan) are written as
        d.hh:mm:ss text (TimeSpan format "c", e.g. 00:30:00 or 7.00:00:00), the next start time as ISO 8601 UTC.

        Returns an ordered dictionary, shown here as the JSON entra-writeback receives:
        {"allowedSyncCycleInterval":"00:30:00","currentlyEffectiveSyncCycleInterval":"00:30:00",
         "customizedSyncCycleInterval":null,"nextSyncCyclePolicyType":"Delta",
         "nextSyncCycleStartTimeInUtc":"2025-09-29T12:51:47.000Z","purgeRunHistoryInterval":"7.00:00:00",
         "syncCycleEnabled":true,"maintenanceEnabled":true,"stagingModeEnabled":false,
         "schedulerSuspended":false,"syncCycleInProgress":false}

    .EXAMPLE
        Get-EntraWritebackScheduler

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1 on the Entra Connect server, module ADSync.

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-feature-scheduler
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param()

    ConvertTo-SchedulerResult -Scheduler (Get-ADSyncScheduler)
}

function Get-EntraWritebackServerState {
    <#
    .SYNOPSIS
        Reports the server, its scheduler and the tenant's features in one call.

    .DESCRIPTION
        What getServerInfo, getScheduler and getCompanyFeatures report, read together so that a refresh reads
        the server itself once: the Entra Connect build (Get-ADSyncGlobalSettings,
        Microsoft.Synchronize.ServerConfigurationVersion), every field of Get-ADSyncScheduler, and the
        directory synchronization features (Get-ADSyncAADCompanyFeature).

        Returns an ordered dictionary, shown here as the JSON entra-writeback receives:
        {"server":{"computerName":"CONNECT01","connectVersion":"2.4.18.0","stagingModeEnabled":false},
         "scheduler":{"allowedSyncCycleInterval":"00:30:00",...,"syncCycleInProgress":false},
         "features":{"passwordHashSync":true,...,"groupWritebackV2":false}}

    .EXAMPLE
        Get-EntraWritebackServerState

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1 on the Entra Connect server, module ADSync.

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-feature-scheduler
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param()

    $globalSettings = Get-ADSyncGlobalSettings
    $scheduler = Get-ADSyncScheduler
    [ordered]@{
        server    = ConvertTo-ServerInfoResult -GlobalSettings $globalSettings -Scheduler $scheduler
        scheduler = ConvertTo-SchedulerResult -Scheduler $scheduler
        features  = ConvertTo-CompanyFeatureResult -Features (Get-ADSyncAADCompanyFeature)
    }
}

function Set-EntraWritebackSchedulerSyncCycle {
    <#
    .SYNOPSIS
        Enables or disables the Entra Connect sync scheduler, then reports every field of Get-ADSyncScheduler.

    .DESCRIPTION
        Runs Set-ADSyncScheduler -SyncCycleEnabled. It does not wait for a running sync cycle to finish;
        the caller waits for SyncCycleInProgress to be false first.

        Returns the same as Get-EntraWritebackScheduler, read after the change.

    .PARAMETER Enabled
        $true turns the scheduler's sync cycles on (Set-ADSyncScheduler -SyncCycleEnabled $true), $false pauses them.

    .EXAMPLE
        Set-EntraWritebackSchedulerSyncCycle -Enabled $false

    .EXAMPLE
        Set-EntraWritebackSchedulerSyncCycle -Enabled $false -WhatIf

        Shows what would change, and changes nothing.

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1 on the Entra Connect server, module ADSync.

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-feature-scheduler
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [bool]$Enabled
    )

    if (-not $PSCmdlet.ShouldProcess($env:COMPUTERNAME, "Set-ADSyncScheduler -SyncCycleEnabled $Enabled")) {
        return
    }

    $null = Set-ADSyncScheduler -SyncCycleEnabled $enabled

    ConvertTo-SchedulerResult -Scheduler (Get-ADSyncScheduler)
}

function Start-EntraWritebackSyncCycle {
    <#
    .SYNOPSIS
        Starts an Entra Connect sync cycle (Start-ADSyncSyncCycle -PolicyType Delta or Initial).

    .DESCRIPTION
        Start-ADSyncSyncCycle returns at once; the cycle runs in the background. While a cycle is running the
        cmdlet fails with "Sync is already running" or "... is busy"; while the scheduler is suspended it fails
        with "Scheduler is already suspended via global parameters".

        Returns an ordered dictionary, shown here as the JSON entra-writeback receives: {"result":"Success"}

    .PARAMETER PolicyType
        Delta or Initial, as Start-ADSyncSyncCycle -PolicyType.

    .EXAMPLE
        Start-EntraWritebackSyncCycle -PolicyType Delta

    .EXAMPLE
        Start-EntraWritebackSyncCycle -PolicyType Delta -WhatIf

        Shows what would change, and changes nothing.

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1 on the Entra Connect server, module ADSync.

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-feature-scheduler
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [ValidateSet('Delta', 'Initial')]
        [string]$PolicyType
    )

    if (-not $PSCmdlet.ShouldProcess($env:COMPUTERNAME, "Start-ADSyncSyncCycle -PolicyType $PolicyType")) {
        return
    }

    $started = Start-ADSyncSyncCycle -PolicyType $policyType
    $outcome = [string]$started.Result
    if ($outcome -ne 'Success') {
        throw "Start-ADSyncSyncCycle -PolicyType $policyType returned Result '$outcome' instead of Success."
    }

    [ordered]@{
        result = $outcome
    }
}

function Get-EntraWritebackSyncWindow {
    <#
    .SYNOPSIS
        Reports the pause-window marker entra-writeback keeps on this server while it has the sync scheduler paused.

    .DESCRIPTION
        entra-writeback writes the marker (Open-EntraWritebackSyncWindow) before it pauses the scheduler for a change and removes
        it (Close-EntraWritebackSyncWindow) once the scheduler runs again. A marker found later means a deployment was interrupted
        inside its window, or another stack's deployment is in one now. The marker is the registry value SyncWindow
        (REG_SZ, one line of JSON) under HKLM:\SOFTWARE\EntraWriteback; see docs/powershell-backend.md.

        Returns an ordered dictionary, shown here as the JSON entra-writeback receives: {"window":null,"serverTimeUtc":"2025-09-29T12:51:47.000Z"} or, with a marker,
        {"window":{"owner":"entra-writeback/production","change":"enabling Group Writeback V2","initialCycle":false,
         "openedAtUtc":"...","expiresAtUtc":"...","held":false},"serverTimeUtc":"..."}
        A marker written by an earlier version of the module has no "held".

    .EXAMPLE
        Get-EntraWritebackSyncWindow

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1 on the Entra Connect server. Reads HKLM:\SOFTWARE\EntraWriteback.

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-feature-scheduler
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param()

    [ordered]@{
        window        = ConvertTo-SyncWindowResult -Marker (Get-SyncWindowMarker)
        serverTimeUtc = Format-MarkerTime -Time (Get-Date)
    }
}

function Open-EntraWritebackSyncWindow {
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

        Returns an ordered dictionary, shown here as the JSON entra-writeback receives: {"window":{...the new marker...},"replaced":null}

    .PARAMETER Owner
        Who holds the window: project/stack of the Pulumi stack, for example entra-writeback/production.

    .PARAMETER Change
        What the window is for, for messages: enabling Group Writeback V2.

    .PARAMETER InitialCycle
        The change is followed by an Initial sync cycle inside the window.

    .PARAMETER Held
        A held window: entra-writeback keeps the scheduler off inside it across several steps (the migration to Cloud
        Sync), and changes the same stack makes meanwhile run within it instead of resuming the scheduler.

    .PARAMETER LeaseSeconds
        How long the window holds before another stack may take it over (60 seconds to 7 days).

    .EXAMPLE
        Open-EntraWritebackSyncWindow -Owner 'entra-writeback/production' -Change 'enabling Group Writeback V2' -LeaseSeconds 2100

    .EXAMPLE
        Open-EntraWritebackSyncWindow -Owner 'entra-writeback/production' -Change 'enabling Group Writeback V2' -LeaseSeconds 2100 -WhatIf

        Shows what would change, and changes nothing.

    .EXAMPLE
        Open-EntraWritebackSyncWindow -Owner 'entra-writeback/production' -Change 'migrating Group Writeback V2 security groups to Cloud Sync' -Held -LeaseSeconds 604800

        Opens a held window, as the migration to Cloud Sync does before it turns the scheduler off.

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1 on the Entra Connect server. Writes HKLM:\SOFTWARE\EntraWriteback (local administrator).

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-feature-scheduler
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [ValidateLength(3, 256)]
        [ValidatePattern('^[^/]+/.+$')]
        [string]$Owner,

        [Parameter(Mandatory)]
        [ValidateLength(1, 256)]
        [string]$Change,

        [switch]$InitialCycle,

        [switch]$Held,

        [Parameter(Mandatory)]
        [ValidateRange(60, 604800)]
        [int]$LeaseSeconds
    )

    if (-not $PSCmdlet.ShouldProcess("$registryPath\$valueName", "Open the pause window for $Owner ($Change)")) {
        return
    }

    $now = Get-Date

    $previous = ConvertTo-SyncWindowResult -Marker (Get-SyncWindowMarker)
    if ($null -ne $previous -and $previous.owner -ne $owner) {
        if ((ConvertTo-UtcTime -Value $previous.expiresAtUtc) -gt $now.ToUniversalTime()) {
            $message = '{0} has the sync scheduler on {1} paused for {2} (its window opened {3} and lapses {4})' -f $previous.owner, $env:COMPUTERNAME, $previous.change, $previous.openedAtUtc, $previous.expiresAtUtc
            Write-Error -Message $message -ErrorId 'EntraWriteback.Refused' -Category ResourceBusy -TargetObject $registryPath
        }
    }

    $window = [ordered]@{
        owner        = $owner
        change       = [string]$Change
        initialCycle = [bool]$InitialCycle
        openedAtUtc  = Format-MarkerTime -Time $now
        expiresAtUtc = Format-MarkerTime -Time $now.AddSeconds([int]$LeaseSeconds)
        held         = [bool]$Held
    }
    if (-not (Test-Path -LiteralPath $registryPath)) {
        $null = New-Item -Path $registryPath -Force
    }
    $null = New-ItemProperty -LiteralPath $registryPath -Name $valueName -Value (ConvertTo-Json -InputObject $window -Compress) -PropertyType String -Force

    [ordered]@{
        window   = $window
        replaced = $previous
    }
}

function Close-EntraWritebackSyncWindow {
    <#
    .SYNOPSIS
        Closes entra-writeback's pause-window marker on this server once the sync scheduler runs again.

    .DESCRIPTION
        Removes the registry value SyncWindow under HKLM:\SOFTWARE\EntraWriteback when the given owner (project/stack)
        holds it. Another owner's marker is left alone, and {"closed":false} is returned.

        Returns an ordered dictionary, shown here as the JSON entra-writeback receives: {"closed":true}

    .PARAMETER Owner
        Who holds the window: project/stack of the Pulumi stack, for example entra-writeback/production.

    .EXAMPLE
        Close-EntraWritebackSyncWindow -Owner 'entra-writeback/production'

    .EXAMPLE
        Close-EntraWritebackSyncWindow -Owner 'entra-writeback/production' -WhatIf

        Shows what would change, and changes nothing.

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1 on the Entra Connect server. Writes HKLM:\SOFTWARE\EntraWriteback (local administrator).

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-feature-scheduler
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [ValidateLength(3, 256)]
        [ValidatePattern('^[^/]+/.+$')]
        [string]$Owner
    )

    if (-not $PSCmdlet.ShouldProcess("$registryPath\$valueName", "Close the pause window of $Owner")) {
        return
    }

    $held = Get-SyncWindowMarker
    $closed = $false
    if ($null -ne $held -and [string]$held.owner -eq $owner) {
        Remove-ItemProperty -LiteralPath $registryPath -Name $valueName
        $closed = $true
    }
    [ordered]@{
        closed = $closed
    }
}

function Get-EntraWritebackCompanyFeature {
    <#
    .SYNOPSIS
        Reports the tenant-wide directory synchronization features (Get-ADSyncAADCompanyFeature).

    .DESCRIPTION
        UnifiedGroupWriteback is the original group writeback (v1), GroupWritebackV2 the deprecated v2 preview.

        Returns an ordered dictionary, shown here as the JSON entra-writeback receives:
        {"passwordHashSync":true,"forcePasswordChangeOnLogOn":false,"userWriteback":false,
         "deviceWriteback":false,"unifiedGroupWriteback":false,"groupWritebackV2":false}

    .EXAMPLE
        Get-EntraWritebackCompanyFeature

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1 on the Entra Connect server, module ADSync.

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-group-writeback-enable
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param()

    ConvertTo-CompanyFeatureResult -Features (Get-ADSyncAADCompanyFeature)
}

function Set-EntraWritebackGroupWritebackV2 {
    <#
    .SYNOPSIS
        Turns the tenant-wide group writeback v2 flag on or off (Set-ADSyncAADCompanyFeature -GroupWritebackV2).

    .DESCRIPTION
        This changes the Entra ID tenant, not only this server. Microsoft documents turning v2 off as
        irreversible, and current tenants refuse to turn it on. Run it only through the documented order
        (scheduler paused, no sync cycle running).

        When turning it on fails while the tenant's features can still be read, or the change does not
        stick, the error has the id EntraWriteback.FeatureRefused: the tenant refused it.

        Returns the same as Get-EntraWritebackCompanyFeature, read after the change.

    .PARAMETER Enabled
        $true turns group writeback v2 on for the whole tenant; $false turns it off, which Microsoft documents as irreversible.

    .EXAMPLE
        Set-EntraWritebackGroupWritebackV2 -Enabled $true

    .EXAMPLE
        Set-EntraWritebackGroupWritebackV2 -Enabled $true -WhatIf

        Shows what would change, and changes nothing.

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1 on the Entra Connect server, module ADSync.

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-group-writeback-enable
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [bool]$Enabled
    )

    if (-not $PSCmdlet.ShouldProcess("the tenant of $env:COMPUTERNAME", "Set-ADSyncAADCompanyFeature -GroupWritebackV2 $Enabled")) {
        return
    }

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
    $result
}

function Get-EntraWritebackGroupWritebackV1Config {
    <#
    .SYNOPSIS
        Reports what the Entra Connect wizard configured for the original (v1) group writeback.

    .DESCRIPTION
        Reads:
          - UnifiedGroupWriteback from Get-ADSyncAADCompanyFeature (tenant);
          - Microsoft.OptionalFeature.GroupWriteBack from Get-ADSyncGlobalSettings (this server);
          - the AD connector's global parameter Connector.GroupWriteBackContainerDn (the writeback OU);
          - whether the sync rule "Out to AD - Group SOAInAAD - DN" exists (the wizard's option
            "Writeback group Distinguished Name with cloud Display Name").

        Returns an ordered dictionary, shown here as the JSON entra-writeback receives:
        {"unifiedGroupWriteback":true,"optionalFeatureGroupWriteBack":true,
         "containerDn":"OU=Writeback,DC=contoso,DC=com","displayNameDn":false}

    .EXAMPLE
        Get-EntraWritebackGroupWritebackV1Config

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1 on the Entra Connect server, module ADSync.

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-group-writeback-enable
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param()

    $features = Get-ADSyncAADCompanyFeature
    $globalSettings = Get-ADSyncGlobalSettings
    $optionalFeature = Get-GlobalParameterValue -Parameters $globalSettings.Parameters -Name 'Microsoft.OptionalFeature.GroupWriteBack'
    $connector = Get-WritebackADConnector
    $containerDn = Get-GlobalParameterValue -Parameters $connector.GlobalParameters -Name 'Connector.GroupWriteBackContainerDn'
    if ([string]::IsNullOrEmpty($containerDn)) {
        $containerDn = $null
    }
    $displayNameRule = @(Get-ADSyncRule | Where-Object { $_.Name -eq 'Out to AD - Group SOAInAAD - DN' })

    [ordered]@{
        unifiedGroupWriteback         = [bool]$features.UnifiedGroupWriteback
        optionalFeatureGroupWriteBack = ($optionalFeature -eq 'True')
        containerDn                   = $containerDn
        displayNameDn                 = ($displayNameRule.Count -gt 0)
    }
}

function Get-EntraWritebackSyncScope {
    <#
    .SYNOPSIS
        Reports the AD connector's OU filtering: the containers it synchronizes and the ones it excludes.

    .DESCRIPTION
        Reads the container inclusion and exclusion lists of every selected partition (domain) of the AD
        connector (Get-ADSyncConnector, Partitions, ConnectorPartitionScope). With several AD connectors it
        reads the one that has a group writeback container, otherwise the first.

        Returns an ordered dictionary, shown here as the JSON entra-writeback receives:
        {"connectorName":"contoso.com","includedContainers":["DC=contoso,DC=com"],
         "excludedContainers":["OU=Disabled,DC=contoso,DC=com"]}

    .EXAMPLE
        Get-EntraWritebackSyncScope

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1 on the Entra Connect server, module ADSync.

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-configure-filtering
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param()

    $connector = Get-WritebackADConnector
    $includedContainers = New-Object -TypeName System.Collections.Generic.List[string]
    $excludedContainers = New-Object -TypeName System.Collections.Generic.List[string]
    foreach ($partition in @($connector.Partitions)) {
        $selected = $partition.PSObject.Properties['Selected']
        if ($null -ne $selected -and -not [bool]$selected.Value) {
            continue
        }
        foreach ($container in @($partition.ConnectorPartitionScope.ContainerInclusionList)) {
            $includedContainers.Add([string]$container)
        }
        foreach ($container in @($partition.ConnectorPartitionScope.ContainerExclusionList)) {
            $excludedContainers.Add([string]$container)
        }
    }

    [ordered]@{
        connectorName      = [string]$connector.Name
        connectorAccountDn = Resolve-ConnectorAccountDn -Connector $connector
        includedContainers = $includedContainers.ToArray()
        excludedContainers = $excludedContainers.ToArray()
    }
}

function Get-EntraWritebackOrganizationalUnit {
    <#
    .SYNOPSIS
        Reports whether an organizational unit exists, its protection from accidental deletion and how many
        objects lie directly below it.

    .DESCRIPTION
        Returns an ordered dictionary, shown here as the JSON entra-writeback receives, either
        {"exists":false,"dn":"OU=Writeback,DC=contoso,DC=com"} or
        {"exists":true,"dn":"OU=Writeback,DC=contoso,DC=com","name":"Writeback",
         "protectedFromAccidentalDeletion":true,"childCount":0}

    .PARAMETER Dn
        The distinguished name of the writeback OU, for example OU=Writeback,DC=contoso,DC=com.

    .EXAMPLE
        Get-EntraWritebackOrganizationalUnit -Dn 'OU=Writeback,DC=contoso,DC=com'

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1, module ActiveDirectory (RSAT-AD-PowerShell).

    .LINK
        https://learn.microsoft.com/powershell/module/activedirectory/get-adorganizationalunit
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$Dn
    )

    Get-OrganizationalUnitState -Dn $Dn
}

function New-EntraWritebackOrganizationalUnit {
    <#
    .SYNOPSIS
        Creates an organizational unit, protected from accidental deletion.

    .DESCRIPTION
        Runs New-ADOrganizationalUnit -Name <name> -Path <parent DN> -ProtectedFromAccidentalDeletion $true.
        The name is the plain OU name (not escaped); the cmdlet escapes it in the new DN.
        Fails if an object with that name already exists below the parent.

        Returns the same as Get-EntraWritebackOrganizationalUnit for the new OU.

    .PARAMETER Name
        The OU's name (its ou attribute), for example Writeback.

    .PARAMETER ParentDn
        Where the OU is created, for example DC=contoso,DC=com.

    .EXAMPLE
        New-EntraWritebackOrganizationalUnit -Name 'Writeback' -ParentDn 'DC=contoso,DC=com'

    .EXAMPLE
        New-EntraWritebackOrganizationalUnit -Name 'Writeback' -ParentDn 'DC=contoso,DC=com' -WhatIf

        Shows what would change, and changes nothing.

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1, module ActiveDirectory. Needs the right to create OUs in the parent.

    .LINK
        https://learn.microsoft.com/powershell/module/activedirectory/new-adorganizationalunit
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [ValidateLength(1, 64)]
        [string]$Name,

        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$ParentDn
    )

    if (-not $PSCmdlet.ShouldProcess("OU=$Name,$ParentDn", 'New-ADOrganizationalUnit (protected from accidental deletion)')) {
        return
    }

    $unit = New-ADOrganizationalUnit -Name $Name -Path $ParentDn -ProtectedFromAccidentalDeletion $true -PassThru

    Get-OrganizationalUnitState -Dn ([string]$unit.DistinguishedName)
}

function Remove-EntraWritebackOrganizationalUnit {
    <#
    .SYNOPSIS
        Deletes an organizational unit: clears its protection from accidental deletion, then removes it.

    .DESCRIPTION
        Refuses an OU that still holds objects unless -Recursive is given (then the OU and everything below it
        is deleted; objects below that are themselves protected from accidental deletion make the cmdlet fail).
        An OU that does not exist is an error (Cannot find an object with identity ...).

        Returns an ordered dictionary, shown here as the JSON entra-writeback receives: {"removed":true}

    .PARAMETER Dn
        The distinguished name of the writeback OU, for example OU=Writeback,DC=contoso,DC=com.

    .PARAMETER Recursive
        Also delete everything inside the OU. Without it, a non-empty OU is refused (error id EntraWriteback.Refused).

    .EXAMPLE
        Remove-EntraWritebackOrganizationalUnit -Dn 'OU=Writeback,DC=contoso,DC=com'

    .EXAMPLE
        Remove-EntraWritebackOrganizationalUnit -Dn 'OU=Writeback,DC=contoso,DC=com' -WhatIf

        Shows what would change, and changes nothing.

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1, module ActiveDirectory. Needs the right to delete the OU.

    .LINK
        https://learn.microsoft.com/powershell/module/activedirectory/remove-adorganizationalunit
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$Dn,

        [switch]$Recursive
    )

    if (-not $PSCmdlet.ShouldProcess($Dn, 'Remove-ADOrganizationalUnit')) {
        return
    }

    # An OU that does not exist fails here with "Cannot find an object with identity".
    $unit = Get-ADOrganizationalUnit -Identity $dn

    $children = @(Get-ADObject -SearchBase $unit.DistinguishedName -SearchScope OneLevel -Filter '*')
    if ($children.Count -gt 0 -and -not $recursive) {
        $message = "The organizational unit $($unit.DistinguishedName) is not empty ($($children.Count) objects directly below it); it was not deleted. Move or delete its objects first, or allow a recursive delete."
        Write-Error -Message $message -ErrorId 'EntraWriteback.Refused' -Category ResourceExists -TargetObject $unit.DistinguishedName
    }

    Set-ADObject -Identity $unit.DistinguishedName -ProtectedFromAccidentalDeletion $false
    Remove-ADOrganizationalUnit -Identity $unit.DistinguishedName -Recursive:$recursive -Confirm:$false

    [ordered]@{
        removed = $true
    }
}

function Get-EntraWritebackAccessRule {
    <#
    .SYNOPSIS
        Lists the access control entries an account holds on an AD object, explicit and inherited.

    .DESCRIPTION
        Resolves the account to its SID from its DN, reads the object's ACL (Get-Acl "AD:\<dn>") and maps each
        ActiveDirectoryAccessRule of that SID: rights as sorted names (GenericRead, GenericWrite, CreateChild, ...),
        Allow or Deny, the inheritance type, the inherited object type ("group" for the group schema class
        bf967a9c-0de6-11d0-a285-00aa003049e2, another class as its GUID, null for all objects) and whether the
        entry is inherited.

        Returns an ordered dictionary, shown here as the JSON entra-writeback receives:
        {"rules":[{"rights":["CreateChild","Delete","DeleteChild","DeleteTree","GenericRead","GenericWrite"],
          "accessControlType":"Allow","inheritanceType":"Descendents","inheritedObjectType":"group",
          "isInherited":false}]}

    .PARAMETER Dn
        The distinguished name of the object whose ACL is read, for example OU=Writeback,DC=contoso,DC=com.

    .PARAMETER AccountDn
        The distinguished name of the AD connector account, for example CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com.

    .EXAMPLE
        Get-EntraWritebackAccessRule -Dn 'OU=Writeback,DC=contoso,DC=com' -AccountDn 'CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com'

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1, module ActiveDirectory (for the AD: drive).

    .LINK
        https://learn.microsoft.com/dotnet/api/system.directoryservices.activedirectoryaccessrule
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$Dn,

        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$AccountDn
    )

    $sid = Resolve-AccountSid -AccountDn $AccountDn

    [ordered]@{
        rules = @(Get-AccountAccessRule -Dn $dn -Sid $sid)
    }
}

function Grant-EntraWritebackAccess {
    <#
    .SYNOPSIS
        Grants the group writeback access control entry to an account on an OU (no change if it is there).

    .DESCRIPTION
        Adds one Allow entry for the account's SID: GenericRead, GenericWrite, CreateChild, DeleteChild, Delete
        and DeleteTree, inherited by group objects below the OU (inheritance Descendents, inherited object type
        = the group schema class bf967a9c-0de6-11d0-a285-00aa003049e2). This is the entry
        Set-ADSyncUnifiedGroupWritebackPermissions grants (dsacls "GRGWCCDCSDDT;;group" /I:S), scoped to one OU.
        Every other entry of the ACL is left as it is.

        Returns the same as Get-EntraWritebackAccessRule, read after the change.

    .PARAMETER Dn
        The distinguished name of the writeback OU, for example OU=Writeback,DC=contoso,DC=com.

    .PARAMETER AccountDn
        The distinguished name of the AD connector account, for example CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com.

    .EXAMPLE
        Grant-EntraWritebackAccess -Dn 'OU=Writeback,DC=contoso,DC=com' -AccountDn 'CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com'

    .EXAMPLE
        Grant-EntraWritebackAccess -Dn 'OU=Writeback,DC=contoso,DC=com' -AccountDn 'CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com' -WhatIf

        Shows what would change, and changes nothing.

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1, module ActiveDirectory. Needs the right to modify permissions on the OU.

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-configure-ad-ds-connector-account
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$Dn,

        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$AccountDn
    )

    if (-not $PSCmdlet.ShouldProcess($Dn, "Grant the writeback access rule to $AccountDn")) {
        return
    }

    $sid = Resolve-AccountSid -AccountDn $AccountDn

    $acl = Get-Acl -LiteralPath "AD:\$dn"
    $existing = @($acl.GetAccessRules($true, $false, [System.Security.Principal.SecurityIdentifier]) |
            Where-Object { Test-WritebackAccessRule -Rule $_ -Sid $sid })
    if ($existing.Count -eq 0) {
        $rule = New-Object -TypeName System.DirectoryServices.ActiveDirectoryAccessRule -ArgumentList @(
            $sid,
            $writebackRights,
            [System.Security.AccessControl.AccessControlType]::Allow,
            [Guid]::Empty,
            [System.DirectoryServices.ActiveDirectorySecurityInheritance]::Descendents,
            $groupSchemaClassGuid
        )
        $acl.AddAccessRule($rule)
        Set-Acl -LiteralPath "AD:\$dn" -AclObject $acl
    }

    [ordered]@{
        rules = @(Get-AccountAccessRule -Dn $dn -Sid $sid)
    }
}

function Revoke-EntraWritebackAccess {
    <#
    .SYNOPSIS
        Removes exactly the group writeback access control entry of an account from an OU.

    .DESCRIPTION
        Removes the explicit Allow entries of the account's SID that are exactly the group writeback entry
        (GenericRead, GenericWrite, CreateChild, DeleteChild, Delete, DeleteTree; inheritance Descendents;
        inherited object type group; no object type). Every other entry, including other entries of the same
        account, is left as it is.

        Returns an ordered dictionary, shown here as the JSON entra-writeback receives with the number of entries removed: {"removed":1}

    .PARAMETER Dn
        The distinguished name of the writeback OU, for example OU=Writeback,DC=contoso,DC=com.

    .PARAMETER AccountDn
        The distinguished name of the AD connector account, for example CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com.

    .EXAMPLE
        Revoke-EntraWritebackAccess -Dn 'OU=Writeback,DC=contoso,DC=com' -AccountDn 'CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com'

    .EXAMPLE
        Revoke-EntraWritebackAccess -Dn 'OU=Writeback,DC=contoso,DC=com' -AccountDn 'CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com' -WhatIf

        Shows what would change, and changes nothing.

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1, module ActiveDirectory. Needs the right to modify permissions on the OU.

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-configure-ad-ds-connector-account
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$Dn,

        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$AccountDn
    )

    if (-not $PSCmdlet.ShouldProcess($Dn, "Revoke the writeback access rule from $AccountDn")) {
        return
    }

    $sid = Resolve-AccountSid -AccountDn $AccountDn

    $acl = Get-Acl -LiteralPath "AD:\$dn"
    $matching = @($acl.GetAccessRules($true, $false, [System.Security.Principal.SecurityIdentifier]) |
            Where-Object { Test-WritebackAccessRule -Rule $_ -Sid $sid })
    foreach ($rule in $matching) {
        $acl.RemoveAccessRuleSpecific($rule)
    }
    if ($matching.Count -gt 0) {
        Set-Acl -LiteralPath "AD:\$dn" -AclObject $acl
    }

    [ordered]@{
        removed = $matching.Count
    }
}

function Set-EntraWritebackForestPermission {
    <#
    .SYNOPSIS
        Grants the connector account the group writeback permissions in every domain of the forest, with
        Microsoft's Set-ADSyncUnifiedGroupWritebackPermissions (module AdSyncConfig).

    .DESCRIPTION
        Runs the documented
            Set-ADSyncUnifiedGroupWritebackPermissions -ADConnectorAccountDN <dn> -Confirm:$false
        which grants "GRGWCCDCSDDT;;group" (inherited by group objects) on the root of every domain of the forest.
        It cannot be undone by this project: remove the entries by hand if you need to.
        Before Entra Connect 2.0.3.0 the module also changes the AdminSDHolder container unless told not to.

        Returns an ordered dictionary, shown here as the JSON entra-writeback receives with the domains of the forest:
        {"domainDns":["DC=contoso,DC=com","DC=emea,DC=contoso,DC=com"]}

    .PARAMETER AccountDn
        The distinguished name of the AD connector account, for example CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com.

    .EXAMPLE
        Set-EntraWritebackForestPermission -AccountDn 'CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com'

    .EXAMPLE
        Set-EntraWritebackForestPermission -AccountDn 'CN=MSOL_0123456789ab,CN=Users,DC=contoso,DC=com' -WhatIf

        Shows what would change, and changes nothing.

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1, modules AdSyncConfig and ActiveDirectory. Needs Enterprise Admin (Domain Admin
        in every domain of the forest).

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-configure-ad-ds-connector-account
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$AccountDn
    )

    if (-not $PSCmdlet.ShouldProcess('every domain of the forest', "Set-ADSyncUnifiedGroupWritebackPermissions -ADConnectorAccountDN $AccountDn")) {
        return
    }

    # AdSyncConfig is a script module: -ErrorAction Stop makes its Write-Error calls stop here too.
    $null = Set-ADSyncUnifiedGroupWritebackPermissions -ADConnectorAccountDN $accountDn -Confirm:$false -ErrorAction Stop

    $domainDns = New-Object -TypeName System.Collections.Generic.List[string]
    foreach ($domainName in @((Get-ADForest).Domains)) {
        $domainDns.Add([string](Get-ADDomain -Server $domainName).DistinguishedName)
    }

    [ordered]@{
        domainDns = $domainDns.ToArray()
    }
}

function Get-EntraWritebackWrittenBackGroup {
    <#
    .SYNOPSIS
        Lists the groups under an OU that Entra Connect wrote back from the cloud (adminDescription Group_<objectId>).

    .DESCRIPTION
        Runs Get-ADGroup -SearchBase <dn> -Filter "adminDescription -like 'Group_*'" and reports each group's DN,
        adminDescription, cloud object id (the part after Group_), display name (the name when it has none),
        scope and category.

        Returns an ordered dictionary, shown here as the JSON entra-writeback receives:
        {"groups":[{"dn":"CN=Group_3a5c3221-c465-48c0-95b8-e9305786a271,OU=Writeback,DC=contoso,DC=com",
          "adminDescription":"Group_3a5c3221-c465-48c0-95b8-e9305786a271",
          "cloudObjectId":"3a5c3221-c465-48c0-95b8-e9305786a271","displayName":"Sales",
          "groupScope":"Universal","groupCategory":"Distribution"}]}

    .PARAMETER Dn
        The distinguished name of the writeback OU, for example OU=Writeback,DC=contoso,DC=com.

    .EXAMPLE
        Get-EntraWritebackWrittenBackGroup -Dn 'OU=Writeback,DC=contoso,DC=com'

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1, module ActiveDirectory.

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-group-writeback-v2
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$Dn
    )

    $found = @(Get-ADGroup -SearchBase $dn -SearchScope Subtree -Filter "adminDescription -like 'Group_*'" -Properties 'adminDescription', 'displayName')
    $groups = New-Object -TypeName System.Collections.Generic.List[object]
    foreach ($group in $found) {
        $adminDescription = [string]$group.adminDescription
        $displayName = [string]$group.displayName
        if ([string]::IsNullOrEmpty($displayName)) {
            $displayName = [string]$group.Name
        }
        $groups.Add([ordered]@{
                dn               = [string]$group.DistinguishedName
                adminDescription = $adminDescription
                cloudObjectId    = $adminDescription.Substring($cloudAnchorPrefix.Length)
                displayName      = $displayName
                groupScope       = [string]$group.GroupScope
                groupCategory    = [string]$group.GroupCategory
            })
    }

    [ordered]@{
        groups = $groups.ToArray()
    }
}

function Get-EntraWritebackPendingExport {
    <#
    .SYNOPSIS
        Lists the group objects under a DN that the AD connector is about to export (csexport.exe /f:x).

    .DESCRIPTION
        Runs csexport.exe "<AD connector name>" <temporary file> /f:x from the ADSync bin directory, the
        documented way to inspect pending exports before leaving staging mode, and reads the XML here:
        every cs-object of object type group whose DN is the given DN or lies below it, with the operation of
        its pending (unapplied) export: add, update (also replace and delete-add) or delete. The temporary
        file is deleted afterwards.

        Returns an ordered dictionary, shown here as the JSON entra-writeback receives:
        {"exports":[{"dn":"CN=Group_3a5c3221-c465-48c0-95b8-e9305786a271,OU=Writeback,DC=contoso,DC=com",
          "modification":"add","objectType":"group","cloudObjectId":"3a5c3221-c465-48c0-95b8-e9305786a271",
          "displayName":"Sales"}]}

    .PARAMETER Dn
        The distinguished name of the writeback OU, for example OU=Writeback,DC=contoso,DC=com.

    .EXAMPLE
        Get-EntraWritebackPendingExport -Dn 'OU=Writeback,DC=contoso,DC=com'

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1 on the Entra Connect server, module ADSync; csexport.exe in
        %ProgramFiles%\Microsoft Azure AD Sync\Bin.

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-sync-staging-server
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$Dn
    )

    $baseDn = $Dn

    $connector = Get-WritebackADConnector
    $csexport = Join-Path -Path $env:ProgramFiles -ChildPath 'Microsoft Azure AD Sync\Bin\csexport.exe'
    $exportFile = Join-Path -Path ([IO.Path]::GetTempPath()) -ChildPath ('entra-writeback-csexport-{0}.xml' -f [Guid]::NewGuid())
    if (-not (Test-Path -LiteralPath $csexport)) {
        throw "csexport.exe was not found at $csexport; is this the Entra Connect server?"
    }
    $exports = New-Object -TypeName System.Collections.Generic.List[object]
    try {
        # csexport writes progress to stderr; Windows PowerShell 5.1 would turn that into errors under 'Stop'.
        $ErrorActionPreference = 'Continue'
        $csexportOutput = & $csexport ([string]$connector.Name) $exportFile '/f:x' 2>&1 | Out-String
        $csexportExitCode = $LASTEXITCODE
        $ErrorActionPreference = 'Stop'
        if ($csexportExitCode -ne 0) {
            throw "csexport.exe failed with exit code ${csexportExitCode}: $($csexportOutput.Trim())"
        }

        $document = New-Object -TypeName System.Xml.XmlDocument
        $document.XmlResolver = $null
        $document.Load($exportFile)
        foreach ($connectorSpaceObject in $document.SelectNodes('/cs-objects/cs-object')) {
            if ($connectorSpaceObject.GetAttribute('object-type') -ne 'group') {
                continue
            }
            $delta = $connectorSpaceObject.SelectSingleNode('unapplied-export/delta')
            if ($null -eq $delta) {
                continue
            }
            $pendingExport = ConvertTo-PendingExport -ConnectorSpaceObject $connectorSpaceObject -Delta $delta
            if ($null -ne $pendingExport -and (Test-DnWithin -Dn $pendingExport.dn -BaseDn $baseDn)) {
                $exports.Add($pendingExport)
            }
        }
    }
    finally {
        $ErrorActionPreference = 'Stop'
        Remove-Item -LiteralPath $exportFile -Force -ErrorAction SilentlyContinue
    }

    [ordered]@{
        exports = $exports.ToArray()
    }
}

function Get-EntraWritebackCloudGroupWriteback {
    <#
    .SYNOPSIS
        Counts the tenant's groups by their writeback setting, and finds which of them are in the writeback OU.
        Read-only.

    .DESCRIPTION
        Reads every cloud-mastered group of the tenant with the Microsoft Graph PowerShell SDK, the way Microsoft's
        "Modify group writeback default behavior" page does (Get-MgBetaGroup -All, writebackConfiguration):
          - Microsoft 365 groups (groupTypes contains Unified). Opted out: writebackConfiguration.isEnabled is
            $false ("If isEnabled is null or true, the group will be written back").
          - Security groups (securityEnabled, not mail-enabled, not Unified). Written back by Group Writeback V2
            only when writebackConfiguration.isEnabled is $true.
        Groups synchronized from on-premises (onPremisesSyncEnabled) are never written back and are not counted.

        Then lists the groups Entra Connect wrote back under the DN (Get-ADGroup -SearchBase, adminDescription
        Group_<objectId>) and reports which of them are opted-out Microsoft 365 groups or security groups.

        The session must already be connected to Microsoft Graph (Connect-MgGraph with Group.Read.All, for example
        app-only with a certificate); this function never connects or prompts by itself.

        Returns an ordered dictionary, shown here as the JSON entra-writeback receives:
        {"microsoft365Groups":12,"optedOutMicrosoft365Groups":{"count":2,"sample":[{"cloudObjectId":"...",
         "displayName":"Legal","dn":null}]},"securityGroups":3,"writebackEnabledSecurityGroups":1,
         "inOu":{"writtenBack":2,"optedOutMicrosoft365":{"count":0,"sample":[]},"security":{"count":1,"sample":[...]}}}

    .PARAMETER Dn
        The distinguished name of the writeback OU, for example OU=Writeback,DC=contoso,DC=com. Without it,
        nothing is compared with Active Directory and inOu is null.

    .PARAMETER SampleSize
        How many groups each set lists by name (0 to 100); the counts are always complete.

    .EXAMPLE
        Connect-MgGraph -Scopes Group.Read.All
        Get-EntraWritebackCloudGroupWriteback -Dn 'OU=Writeback,DC=contoso,DC=com' -SampleSize 10

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1, modules Microsoft.Graph.Beta.Groups and ActiveDirectory.
        https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-modify-group-writeback

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-modify-group-writeback
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [AllowNull()]
        [AllowEmptyString()]
        [string]$Dn,

        [Parameter(Mandatory)]
        [ValidateRange(0, 100)]
        [int]$SampleSize
    )

    if ($null -eq (Get-MgContext)) {
        throw 'This session is not connected to Microsoft Graph: run Connect-MgGraph (Group.Read.All) in the session first.'
    }

    $writtenBackDn = @{}
    $ouExists = $false
    if (-not [string]::IsNullOrEmpty($Dn)) {
        try {
            $null = Get-ADObject -Identity $dn
            $ouExists = $true
        }
        catch [Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException] {
            $ouExists = $false
        }
        if ($ouExists) {
            $found = @(Get-ADGroup -SearchBase $dn -SearchScope Subtree -Filter "adminDescription -like 'Group_*'" -Properties 'adminDescription')
            foreach ($adGroup in $found) {
                $objectId = ([string]$adGroup.adminDescription).Substring($cloudAnchorPrefix.Length).ToLowerInvariant()
                $writtenBackDn[$objectId] = [string]$adGroup.DistinguishedName
            }
        }
    }

    $properties = 'id', 'displayName', 'groupTypes', 'securityEnabled', 'mailEnabled', 'onPremisesSyncEnabled', 'writebackConfiguration'
    $cloudGroups = @(Get-MgBetaGroup -All -Property $properties | Where-Object { $_.OnPremisesSyncEnabled -ne $true })

    $microsoft365Count = 0
    $securityCount = 0
    $securityEnabledCount = 0
    $optedOut = New-Object -TypeName System.Collections.Generic.List[object]
    $optedOutInOu = New-Object -TypeName System.Collections.Generic.List[object]
    $securityInOu = New-Object -TypeName System.Collections.Generic.List[object]
    foreach ($group in $cloudGroups) {
        $objectId = ([string]$group.Id).ToLowerInvariant()
        $inAdAs = $null
        if ($writtenBackDn.ContainsKey($objectId)) {
            $inAdAs = $writtenBackDn[$objectId]
        }
        $entry = [ordered]@{
            cloudObjectId = $objectId
            displayName   = [string]$group.DisplayName
            dn            = $inAdAs
        }
        $writebackEnabled = Get-WritebackEnabled -Group $group
        if (@($group.GroupTypes) -contains 'Unified') {
            $microsoft365Count++
            if ($writebackEnabled -eq $false) {
                $optedOut.Add($entry)
                if ($null -ne $inAdAs) {
                    $optedOutInOu.Add($entry)
                }
            }
        }
        elseif ($group.SecurityEnabled -and -not $group.MailEnabled) {
            $securityCount++
            if ($writebackEnabled -eq $true) {
                $securityEnabledCount++
            }
            if ($null -ne $inAdAs) {
                $securityInOu.Add($entry)
            }
        }
    }

    $inOu = $null
    if ($ouExists) {
        $inOu = [ordered]@{
            writtenBack          = $writtenBackDn.Count
            optedOutMicrosoft365 = New-GroupSet -Entries $optedOutInOu.ToArray() -Size $sampleSize
            security             = New-GroupSet -Entries $securityInOu.ToArray() -Size $sampleSize
        }
    }

    [ordered]@{
        microsoft365Groups             = $microsoft365Count
        optedOutMicrosoft365Groups     = New-GroupSet -Entries $optedOut.ToArray() -Size $sampleSize
        securityGroups                 = $securityCount
        writebackEnabledSecurityGroups = $securityEnabledCount
        inOu                           = $inOu
    }
}

function ConvertTo-SyncRuleResult {
    # One Get-ADSyncRule object as the contract's syncRule (property names of the ADSync object model; see docs/powershell-backend.md).
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [object]$Rule
    )

    $scopeFilter = @(foreach ($group in @($Rule.ScopeFilter)) {
            if ($null -eq $group) { continue }
            , @(foreach ($condition in @($group.ScopeConditionList)) {
                    [ordered]@{
                        attribute = [string]$condition.Attribute
                        value     = [string]$condition.ComparisonValue
                        operator  = [string]$condition.ComparisonOperator
                    }
                })
        })
    $joinFilter = @(foreach ($group in @($Rule.JoinFilter)) {
            if ($null -eq $group) { continue }
            , @(foreach ($condition in @($group.JoinConditionList)) {
                    [ordered]@{
                        sourceAttribute = [string]$condition.CSAttribute
                        targetAttribute = [string]$condition.MVAttribute
                        caseSensitive   = [bool]$condition.CaseSensitive
                    }
                })
        })
    $flows = @(foreach ($flow in @($Rule.AttributeFlowMappings)) {
            if ($null -eq $flow) { continue }
            $expression = $null
            if ([string]$flow.FlowType -eq 'Expression') {
                $expression = [string]$flow.Expression
            }
            [ordered]@{
                destination    = [string]$flow.Destination
                flowType       = [string]$flow.FlowType
                source         = @(foreach ($attribute in @($flow.Source)) { if ($null -ne $attribute) { [string]$attribute } })
                expression     = $expression
                valueMergeType = [string]$flow.ValueMergeType
            }
        })
    $immutableTag = $null
    if (-not [string]::IsNullOrEmpty([string]$Rule.ImmutableTag)) {
        $immutableTag = [string]$Rule.ImmutableTag
    }
    [ordered]@{
        identifier            = ([string]$Rule.Identifier).ToLowerInvariant()
        name                  = [string]$Rule.Name
        description           = [string]$Rule.Description
        direction             = [string]$Rule.Direction
        connector             = ([string]$Rule.Connector).ToLowerInvariant()
        sourceObjectType      = [string]$Rule.SourceObjectType
        targetObjectType      = [string]$Rule.TargetObjectType
        linkType              = [string]$Rule.LinkType
        precedence            = [int]$Rule.Precedence
        disabled              = [bool]$Rule.Disabled
        immutableTag          = $immutableTag
        scopeFilter           = $scopeFilter
        joinFilter            = $joinFilter
        attributeFlowMappings = $flows
    }
}

function Get-SyncRuleByIdentifier {
    # The rule with this identifier, or an EntraWriteback.NotFound error.
    [CmdletBinding()]
    [OutputType([object])]
    param(
        [Parameter(Mandatory)]
        [guid]$Identifier
    )

    $rule = Get-ADSyncRule | Where-Object { $_.Identifier -eq $Identifier } | Select-Object -First 1
    if ($null -eq $rule) {
        $message = "There is no synchronization rule with identifier $Identifier on $env:COMPUTERNAME; list them with Get-ADSyncRule."
        Write-Error -Message $message -ErrorId 'EntraWriteback.NotFound' -Category ObjectNotFound -TargetObject $Identifier
    }
    $rule
}

function Assert-NoSyncCycle {
    # Sync rules change between cycles only, as Microsoft's procedures do it (scheduler paused, no cycle running).
    [CmdletBinding()]
    [OutputType([void])]
    param()

    if ([bool](Get-ADSyncScheduler).SyncCycleInProgress) {
        $message = "A synchronization cycle is in progress on $env:COMPUTERNAME; wait until it completes before changing sync rules."
        Write-Error -Message $message -ErrorId 'EntraWriteback.SyncBusy' -Category ResourceBusy
    }
}

function Get-EntraWritebackSyncRule {
    <#
    .SYNOPSIS
        Lists the synchronization rules of this Entra Connect server (Get-ADSyncRule), by precedence.

    .DESCRIPTION
        Each rule with its identifier, name, direction, connector, object types, link type, precedence, whether it
        is disabled, its scoping filter, join rules and attribute flows (reduced to what entra-writeback reads).
        Rules Entra Connect ships carry an immutable tag; custom rules have none.

    .EXAMPLE
        (Get-EntraWritebackSyncRule).rules | Where-Object { $_.name -like '*Group*' }

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1 on the Entra Connect server, module ADSync.

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/reference-connect-adsync
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param()

    # By precedence, then name (ordinal), as the Synchronization Rules Editor lists them.
    $byPrecedence = New-Object -TypeName 'System.Collections.Generic.SortedDictionary[string, object]' -ArgumentList @([System.StringComparer]::Ordinal)
    foreach ($rule in @(Get-ADSyncRule)) {
        $key = '{0:D10}|{1}|{2}' -f [int]$rule.Precedence, [string]$rule.Name, [string]$rule.Identifier
        $byPrecedence[$key] = $rule
    }
    $rules = @(foreach ($rule in $byPrecedence.Values) {
            ConvertTo-SyncRuleResult -Rule $rule
        })
    [ordered]@{
        rules = $rules
    }
}

function New-EntraWritebackSyncRule {
    <#
    .SYNOPSIS
        Creates a custom synchronization rule (New-ADSyncRule, its conditions and flows, then Add-ADSyncRule).

    .DESCRIPTION
        Builds the rule the way Microsoft's "Modify Microsoft Entra Connect group writeback default behavior"
        script and the Synchronization Rules Editor do: New-ADSyncRule, Add-ADSyncAttributeFlowMapping for each
        flow, Add-ADSyncScopeConditionGroup and Add-ADSyncJoinConditionGroup for each group, then Add-ADSyncRule.
        A custom rule takes a unique precedence from 0 to 99. A rule with the same precedence or identifier is
        refused (error id EntraWriteback.Refused) before anything changes.

        Creating a rule sets the full synchronization flag: the next sync cycle is Initial. Run it with the
        scheduler paused and no sync cycle running.

    .PARAMETER Identifier
        The rule's GUID (Microsoft's delete rule uses cb871f2d-0f01-4c32-a333-ff809145b947).

    .PARAMETER Name
        The rule's name.

    .PARAMETER Description
        The rule's description.

    .PARAMETER Direction
        Inbound or Outbound.

    .PARAMETER Connector
        The connector's identifier (the Entra ID connector is b891884f-051e-4a83-95af-2544101c9083).

    .PARAMETER SourceObjectType
        The source object type, e.g. group.

    .PARAMETER TargetObjectType
        The target object type, e.g. group.

    .PARAMETER LinkType
        Join, Provision, StickyJoin or JoinNoFlow.

    .PARAMETER Precedence
        A precedence from 0 to 99 that no other rule has.

    .PARAMETER Disabled
        $true creates the rule disabled.

    .PARAMETER ScopeFilter
        Scoping filter groups: each an array of @{ attribute; value; operator } (ORed groups of ANDed conditions).

    .PARAMETER JoinFilter
        Join groups: each an array of @{ sourceAttribute; targetAttribute; caseSensitive }.

    .PARAMETER AttributeFlowMappings
        Attribute flows: @{ destination; flowType; source; expression; valueMergeType }.

    .EXAMPLE
        New-EntraWritebackSyncRule -Identifier 'cb871f2d-0f01-4c32-a333-ff809145b947' -Name 'In from AAD - Group SOAinAAD Delete WriteBackOutOfScope and SoftDelete' -Description '' -Direction Inbound -Connector 'b891884f-051e-4a83-95af-2544101c9083' -SourceObjectType group -TargetObjectType group -LinkType Join -Precedence 50 -Disabled $false -ScopeFilter @(, @(@{ attribute = 'cloudMastered'; value = 'true'; operator = 'EQUAL' })) -JoinFilter @(, @(@{ sourceAttribute = 'cloudAnchor'; targetAttribute = 'cloudAnchor'; caseSensitive = $false })) -AttributeFlowMappings @() -WhatIf

        Shows what would change, and changes nothing.

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1 on the Entra Connect server, module ADSync.

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-modify-group-writeback
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [guid]$Identifier,

        [Parameter(Mandatory)]
        [ValidateLength(1, 256)]
        [string]$Name,

        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string]$Description,

        [Parameter(Mandatory)]
        [ValidateSet('Inbound', 'Outbound')]
        [string]$Direction,

        [Parameter(Mandatory)]
        [guid]$Connector,

        [Parameter(Mandatory)]
        [ValidateLength(1, 64)]
        [string]$SourceObjectType,

        [Parameter(Mandatory)]
        [ValidateLength(1, 64)]
        [string]$TargetObjectType,

        [Parameter(Mandatory)]
        [ValidateSet('Join', 'Provision', 'StickyJoin', 'JoinNoFlow')]
        [string]$LinkType,

        [Parameter(Mandatory)]
        [ValidateRange(0, 99)]
        [int]$Precedence,

        [Parameter(Mandatory)]
        [bool]$Disabled,

        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [object[]]$ScopeFilter,

        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [object[]]$JoinFilter,

        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [object[]]$AttributeFlowMappings
    )

    if (-not $PSCmdlet.ShouldProcess("sync rule '$Name' (precedence $Precedence) on $env:COMPUTERNAME", 'New-ADSyncRule, Add-ADSyncRule')) {
        return
    }

    Assert-NoSyncCycle
    $existing = @(Get-ADSyncRule)
    $sameIdentifier = $existing | Where-Object { $_.Identifier -eq $Identifier } | Select-Object -First 1
    if ($null -ne $sameIdentifier) {
        $message = "A synchronization rule with identifier $Identifier already exists on $env:COMPUTERNAME (`"$($sameIdentifier.Name)`"); remove it first or use another identifier."
        Write-Error -Message $message -ErrorId 'EntraWriteback.Refused' -Category ResourceExists -TargetObject $Identifier
    }
    $samePrecedence = $existing | Where-Object { [int]$_.Precedence -eq $Precedence } | Select-Object -First 1
    if ($null -ne $samePrecedence) {
        $message = "Precedence $Precedence is already taken on $env:COMPUTERNAME by `"$($samePrecedence.Name)`"; a sync rule precedence must be unique: choose a free one."
        Write-Error -Message $message -ErrorId 'EntraWriteback.Refused' -Category ResourceExists -TargetObject $Precedence
    }

    $ruleParameters = @{
        Name                     = $Name
        Identifier               = $Identifier
        Description              = $Description
        Direction                = $Direction
        Precedence               = $Precedence
        PrecedenceAfter          = [guid]::Empty
        PrecedenceBefore         = [guid]::Empty
        SourceObjectType         = $SourceObjectType
        TargetObjectType         = $TargetObjectType
        Connector                = $Connector
        LinkType                 = $LinkType
        SoftDeleteExpiryInterval = 0
        ImmutableTag             = ''
    }
    # Each Add-ADSync* cmdlet returns the rule it extended; Microsoft's script takes its first output (-OutVariable, [0]).
    $rule = @(New-ADSyncRule @ruleParameters)[0]
    foreach ($flow in $AttributeFlowMappings) {
        $flowParameters = @{
            SynchronizationRule = $rule
            Destination         = [string]$flow.destination
            FlowType            = [string]$flow.flowType
            ValueMergeType      = [string]$flow.valueMergeType
        }
        $sources = @($flow.source)
        if ($sources.Count -gt 0) {
            $flowParameters.Source = [string[]]$sources
        }
        if ($null -ne $flow.expression) {
            $flowParameters.Expression = [string]$flow.expression
        }
        $rule = @(Add-ADSyncAttributeFlowMapping @flowParameters)[0]
    }
    foreach ($group in $ScopeFilter) {
        $conditions = @(foreach ($condition in @($group)) {
                New-Object -TypeName 'Microsoft.IdentityManagement.PowerShell.ObjectModel.ScopeCondition' -ArgumentList @([string]$condition.attribute, [string]$condition.value, [string]$condition.operator)
            })
        $rule = @(Add-ADSyncScopeConditionGroup -SynchronizationRule $rule -ScopeConditions $conditions)[0]
    }
    foreach ($group in $JoinFilter) {
        $conditions = @(foreach ($condition in @($group)) {
                New-Object -TypeName 'Microsoft.IdentityManagement.PowerShell.ObjectModel.JoinCondition' -ArgumentList @([string]$condition.sourceAttribute, [string]$condition.targetAttribute, [bool]$condition.caseSensitive)
            })
        $rule = @(Add-ADSyncJoinConditionGroup -SynchronizationRule $rule -JoinConditions $conditions)[0]
    }
    $rule.Disabled = $Disabled
    $null = Add-ADSyncRule -SynchronizationRule $rule

    ConvertTo-SyncRuleResult -Rule (Get-ADSyncRule -Identifier $Identifier)
}

function Remove-EntraWritebackSyncRule {
    <#
    .SYNOPSIS
        Removes a custom synchronization rule by its identifier (Remove-ADSyncRule).

    .DESCRIPTION
        Rules Entra Connect ships (those with an immutable tag) are refused with error id EntraWriteback.Refused:
        disable them instead (Set-EntraWritebackSyncRule -Disabled $true). A rule that does not exist is not an
        error: the result says removed = $false. Removing a rule sets the full synchronization flag.

    .PARAMETER Identifier
        The rule's GUID.

    .EXAMPLE
        Remove-EntraWritebackSyncRule -Identifier 'cb871f2d-0f01-4c32-a333-ff809145b947' -WhatIf

        Shows what would change, and changes nothing.

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1 on the Entra Connect server, module ADSync.

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/reference-connect-adsync
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [guid]$Identifier
    )

    if (-not $PSCmdlet.ShouldProcess("sync rule $Identifier on $env:COMPUTERNAME", 'Remove-ADSyncRule')) {
        return
    }

    Assert-NoSyncCycle
    $rule = Get-ADSyncRule | Where-Object { $_.Identifier -eq $Identifier } | Select-Object -First 1
    if ($null -eq $rule) {
        return [ordered]@{
            removed = $false
        }
    }
    if (-not [string]::IsNullOrEmpty([string]$rule.ImmutableTag)) {
        $message = "`"$($rule.Name)`" is one of the rules Entra Connect ships; it cannot be removed. Disable it instead (Set-EntraWritebackSyncRule -Disabled `$true)."
        Write-Error -Message $message -ErrorId 'EntraWriteback.Refused' -Category InvalidOperation -TargetObject $Identifier
    }
    Remove-ADSyncRule -SynchronizationRule $rule
    [ordered]@{
        removed = $true
    }
}

function Set-EntraWritebackSyncRule {
    <#
    .SYNOPSIS
        Disables or enables an existing synchronization rule (Get-ADSyncRule, Disabled, Add-ADSyncRule).

    .DESCRIPTION
        The PowerShell form of the Synchronization Rules Editor's Disable: Microsoft documents disabling
        "Out to AD - Group Writeback Member Limit" (after group writeback is enabled) to allow groups of up to
        250,000 members. Changing the rule sets the full synchronization flag; a rule already in the asked state
        is left alone. A rule that does not exist fails with error id EntraWriteback.NotFound.

    .PARAMETER Identifier
        The rule's GUID (find it with Get-EntraWritebackSyncRule).

    .PARAMETER Disabled
        $true disables the rule; $false enables it again.

    .EXAMPLE
        Set-EntraWritebackSyncRule -Identifier '0d9a5e3c-1f6b-4a52-9c0e-3b2f7d8e1a03' -Disabled $true -WhatIf

        Shows what would change, and changes nothing.

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1 on the Entra Connect server, module ADSync.

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-modify-group-writeback
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [guid]$Identifier,

        [Parameter(Mandatory)]
        [bool]$Disabled
    )

    if (-not $PSCmdlet.ShouldProcess("sync rule $Identifier on $env:COMPUTERNAME", "Add-ADSyncRule with Disabled = $Disabled")) {
        return
    }

    Assert-NoSyncCycle
    $rule = Get-SyncRuleByIdentifier -Identifier $Identifier
    if ([bool]$rule.Disabled -ne $Disabled) {
        $rule.Disabled = $Disabled
        $null = Add-ADSyncRule -SynchronizationRule $rule
        $rule = Get-ADSyncRule -Identifier $Identifier
    }
    ConvertTo-SyncRuleResult -Rule $rule
}

function Get-WrittenBackSecurityGroup {
    # The security groups without mail under the DN that Entra Connect wrote back (adminDescription Group_<objectId>;
    # a mail-enabled one is a Microsoft 365 group, which stays with Connect), by DN, each with its
    # msDS-ExternalDirectoryObjectID (null when not set).
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [string]$Dn
    )

    $properties = @('adminDescription', 'displayName', 'mail', 'msDS-ExternalDirectoryObjectID')
    [object[]]$found = @(Get-ADGroup -SearchBase $Dn -SearchScope Subtree -Filter "adminDescription -like 'Group_*' -and GroupCategory -eq 'Security'" -Properties $properties)
    [string[]]$dns = @($found | ForEach-Object { [string]$_.DistinguishedName })
    [System.Array]::Sort($dns, $found, [System.StringComparer]::OrdinalIgnoreCase)
    foreach ($group in $found) {
        $mail = $group.PSObject.Properties['mail']
        if ($null -ne $mail -and -not [string]::IsNullOrEmpty([string]$mail.Value)) {
            continue
        }
        $adminDescription = [string]$group.adminDescription
        $displayName = [string]$group.displayName
        if ([string]::IsNullOrEmpty($displayName)) {
            $displayName = [string]$group.Name
        }
        # A requested attribute with no value may be absent from the object: read it without tripping StrictMode.
        $externalId = $null
        $property = $group.PSObject.Properties['msDS-ExternalDirectoryObjectID']
        if ($null -ne $property -and -not [string]::IsNullOrEmpty([string]$property.Value)) {
            $externalId = [string]$property.Value
        }
        [ordered]@{
            dn                        = [string]$group.DistinguishedName
            adminDescription          = $adminDescription
            cloudObjectId             = $adminDescription.Substring($cloudAnchorPrefix.Length)
            displayName               = $displayName
            externalDirectoryObjectId = $externalId
        }
    }
}

function Get-EntraWritebackGroupDirectoryObjectId {
    <#
    .SYNOPSIS
        Lists the written-back security groups under an OU with their adminDescription and msDS-ExternalDirectoryObjectID.

    .DESCRIPTION
        The read of the first step of Microsoft's migration from group writeback v2 to Cloud Sync: Cloud Sync finds
        an existing AD group by msDS-ExternalDirectoryObjectID, which must hold the group's adminDescription
        (Group_<objectId>). Runs Get-ADGroup -SearchBase <dn> for the security groups whose adminDescription starts
        with Group_ and that have no mail (a mail-enabled one is a Microsoft 365 group, which stays with Connect's
        group writeback v1), and reports each group's DN, adminDescription, cloud object id, display name and
        msDS-ExternalDirectoryObjectID (null when not set), sorted by DN. Changes nothing.

        Returns an ordered dictionary, shown here as the JSON entra-writeback receives:
        {"groups":[{"dn":"CN=Group_3a5c3221-c465-48c0-95b8-e9305786a271,OU=Writeback,DC=contoso,DC=com",
          "adminDescription":"Group_3a5c3221-c465-48c0-95b8-e9305786a271",
          "cloudObjectId":"3a5c3221-c465-48c0-95b8-e9305786a271","displayName":"Finance",
          "externalDirectoryObjectId":null}]}

    .PARAMETER Dn
        The distinguished name of the writeback OU, for example OU=Writeback,DC=contoso,DC=com.

    .EXAMPLE
        Get-EntraWritebackGroupDirectoryObjectId -Dn 'OU=Writeback,DC=contoso,DC=com'

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1, module ActiveDirectory.

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/migrate-group-writeback
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$Dn
    )

    [ordered]@{
        groups = @(Get-WrittenBackSecurityGroup -Dn $Dn)
    }
}

function Copy-EntraWritebackGroupDirectoryObjectId {
    <#
    .SYNOPSIS
        Copies adminDescription into msDS-ExternalDirectoryObjectID on the written-back security groups under an OU.

    .DESCRIPTION
        The first step of Microsoft's migration from group writeback v2 to Cloud Sync, made safe to run again.
        Microsoft's script adds the value with Set-ADGroup -Add on every group; this function reads every group
        first:
        - a group whose msDS-ExternalDirectoryObjectID already equals its adminDescription is skipped;
        - a group that holds another value stops the function with error id EntraWriteback.Refused, naming the
          groups, before any group is changed;
        - every other group gets its adminDescription with Set-ADGroup -Replace.

        Returns an ordered dictionary, shown here as the JSON entra-writeback receives:
        {"copied":50,"alreadySet":0,"sample":["CN=Group_3a5c3221-c465-48c0-95b8-e9305786a271,OU=Writeback,DC=contoso,DC=com"]}
        (sample: the DNs of the first 10 groups changed).

    .PARAMETER Dn
        The distinguished name of the writeback OU, for example OU=Writeback,DC=contoso,DC=com.

    .EXAMPLE
        Copy-EntraWritebackGroupDirectoryObjectId -Dn 'OU=Writeback,DC=contoso,DC=com' -WhatIf

        Shows what would change, and changes nothing.

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary

    .NOTES
        Windows PowerShell 5.1, module ActiveDirectory. Needs an account allowed to write the groups' attributes
        (Microsoft asks for domain administrator rights for this step).

    .LINK
        https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/migrate-group-writeback
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$Dn
    )

    if (-not $PSCmdlet.ShouldProcess($Dn, 'Copy adminDescription into msDS-ExternalDirectoryObjectID on the written-back security groups')) {
        return
    }

    $groups = @(Get-WrittenBackSecurityGroup -Dn $Dn)
    $conflicts = @($groups | Where-Object {
            $null -ne $_.externalDirectoryObjectId -and $_.externalDirectoryObjectId -ne $_.adminDescription
        })
    if ($conflicts.Count -gt 0) {
        $named = @($conflicts | Select-Object -First 10 | ForEach-Object {
                "$($_.dn) (adminDescription $($_.adminDescription), msDS-ExternalDirectoryObjectID $($_.externalDirectoryObjectId))"
            }) -join '; '
        $more = ''
        if ($conflicts.Count -gt 10) {
            $more = " and $($conflicts.Count - 10) more"
        }
        $message = "$($conflicts.Count) written-back group(s) already carry another msDS-ExternalDirectoryObjectID than their adminDescription: " +
        "$named$more. Nothing was changed. Cloud Sync matches groups by this value: check which cloud group each AD group " +
        'belongs to, correct or clear the value (Set-ADGroup -Clear msDS-ExternalDirectoryObjectID), then run again.'
        Write-Error -Message $message -ErrorId 'EntraWriteback.Refused' -Category InvalidData -TargetObject $Dn
    }

    $copied = New-Object -TypeName System.Collections.Generic.List[string]
    foreach ($group in $groups) {
        if ($null -ne $group.externalDirectoryObjectId) {
            continue
        }
        Set-ADGroup -Identity $group.dn -Replace @{ 'msDS-ExternalDirectoryObjectID' = $group.adminDescription }
        $copied.Add($group.dn)
    }

    [ordered]@{
        copied     = $copied.Count
        alreadySet = $groups.Count - $copied.Count
        sample     = @($copied | Select-Object -First 10)
    }
}

Export-ModuleMember -Function @(
    'Get-EntraWritebackServerInfo',
    'Get-EntraWritebackScheduler',
    'Get-EntraWritebackServerState',
    'Set-EntraWritebackSchedulerSyncCycle',
    'Start-EntraWritebackSyncCycle',
    'Get-EntraWritebackSyncWindow',
    'Open-EntraWritebackSyncWindow',
    'Close-EntraWritebackSyncWindow',
    'Get-EntraWritebackCompanyFeature',
    'Set-EntraWritebackGroupWritebackV2',
    'Get-EntraWritebackGroupWritebackV1Config',
    'Get-EntraWritebackSyncScope',
    'Get-EntraWritebackOrganizationalUnit',
    'New-EntraWritebackOrganizationalUnit',
    'Remove-EntraWritebackOrganizationalUnit',
    'Get-EntraWritebackAccessRule',
    'Grant-EntraWritebackAccess',
    'Revoke-EntraWritebackAccess',
    'Set-EntraWritebackForestPermission',
    'Get-EntraWritebackWrittenBackGroup',
    'Get-EntraWritebackPendingExport',
    'Get-EntraWritebackCloudGroupWriteback',
    'Get-EntraWritebackSyncRule',
    'New-EntraWritebackSyncRule',
    'Remove-EntraWritebackSyncRule',
    'Set-EntraWritebackSyncRule',
    'Get-EntraWritebackGroupDirectoryObjectId',
    'Copy-EntraWritebackGroupDirectoryObjectId'
)
