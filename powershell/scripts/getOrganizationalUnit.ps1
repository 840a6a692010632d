<#
.SYNOPSIS
    Reports whether an organizational unit exists, its protection from accidental deletion and how many
    objects lie directly below it.

.DESCRIPTION
    Writes one line of compressed JSON, either
    {"exists":false,"dn":"OU=Writeback,DC=contoso,DC=com"} or
    {"exists":true,"dn":"OU=Writeback,DC=contoso,DC=com","name":"Writeback",
     "protectedFromAccidentalDeletion":true,"childCount":0}

.PARAMETER ArgumentsJson
    {"dn":"OU=Writeback,DC=contoso,DC=com"}

.EXAMPLE
    .\getOrganizationalUnit.ps1 -ArgumentsJson '{"dn":"OU=Writeback,DC=contoso,DC=com"}'

.NOTES
    Windows PowerShell 5.1, module ActiveDirectory (RSAT-AD-PowerShell).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string]$ArgumentsJson
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

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

$arguments = ConvertFrom-Json -InputObject $ArgumentsJson

$result = Get-OrganizationalUnitState -Dn ([string]$arguments.dn)
ConvertTo-Json -InputObject $result -Compress -Depth 10
