<#
.SYNOPSIS
    Creates an organizational unit, protected from accidental deletion.

.DESCRIPTION
    Runs New-ADOrganizationalUnit -Name <name> -Path <parent DN> -ProtectedFromAccidentalDeletion $true.
    The name is the plain OU name (not escaped); the cmdlet escapes it in the new DN.
    Fails if an object with that name already exists below the parent.

    Writes the same JSON as getOrganizationalUnit.ps1 for the new OU.

.PARAMETER ArgumentsJson
    {"name":"Writeback","parentDn":"DC=contoso,DC=com"}

.EXAMPLE
    .\newOrganizationalUnit.ps1 -ArgumentsJson '{"name":"Writeback","parentDn":"DC=contoso,DC=com"}'

.NOTES
    Windows PowerShell 5.1, module ActiveDirectory. Needs the right to create OUs in the parent.
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

$unit = New-ADOrganizationalUnit -Name ([string]$arguments.name) -Path ([string]$arguments.parentDn) -ProtectedFromAccidentalDeletion $true -PassThru

$result = Get-OrganizationalUnitState -Dn ([string]$unit.DistinguishedName)
ConvertTo-Json -InputObject $result -Compress -Depth 10
