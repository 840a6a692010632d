<#
.SYNOPSIS
    Lists the group objects under a DN that the AD connector is about to export (csexport.exe /f:x).

.DESCRIPTION
    Runs csexport.exe "<AD connector name>" <temporary file> /f:x from the ADSync bin directory, the
    documented way to inspect pending exports before leaving staging mode, and reads the XML here:
    every cs-object of object type group whose DN is the given DN or lies below it, with the operation of
    its pending (unapplied) export: add, update (also replace and delete-add) or delete. The temporary
    file is deleted afterwards.

    Writes one line of compressed JSON:
    {"exports":[{"dn":"CN=Group_3a5c3221-c465-48c0-95b8-e9305786a271,OU=Writeback,DC=contoso,DC=com",
      "modification":"add","objectType":"group","cloudObjectId":"3a5c3221-c465-48c0-95b8-e9305786a271",
      "displayName":"Sales"}]}

.PARAMETER ArgumentsJson
    {"dn":"OU=Writeback,DC=contoso,DC=com"}

.EXAMPLE
    .\listPendingExports.ps1 -ArgumentsJson '{"dn":"OU=Writeback,DC=contoso,DC=com"}'

.NOTES
    Windows PowerShell 5.1 on the Entra Connect server, module ADSync; csexport.exe in
    %ProgramFiles%\Microsoft Azure AD Sync\Bin.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string]$ArgumentsJson
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

$arguments = ConvertFrom-Json -InputObject $ArgumentsJson
$baseDn = [string]$arguments.dn

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

$result = [ordered]@{
    exports = $exports.ToArray()
}
ConvertTo-Json -InputObject $result -Compress -Depth 10
