<#
.SYNOPSIS
    Deletes an organizational unit: clears its protection from accidental deletion, then removes it.

.DESCRIPTION
    Refuses an OU that still holds objects unless recursive is true (then the OU and everything below it
    is deleted; objects below that are themselves protected from accidental deletion make the cmdlet fail).
    An OU that does not exist is an error (Cannot find an object with identity ...).

    Writes one line of compressed JSON: {"removed":true}

.PARAMETER ArgumentsJson
    {"dn":"OU=Writeback,DC=contoso,DC=com","recursive":false}

.EXAMPLE
    .\removeOrganizationalUnit.ps1 -ArgumentsJson '{"dn":"OU=Writeback,DC=contoso,DC=com","recursive":false}'

.NOTES
    Windows PowerShell 5.1, module ActiveDirectory. Needs the right to delete the OU.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string]$ArgumentsJson
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$arguments = ConvertFrom-Json -InputObject $ArgumentsJson
$dn = [string]$arguments.dn
$recursive = [bool]$arguments.recursive

# An OU that does not exist fails here with "Cannot find an object with identity".
$unit = Get-ADOrganizationalUnit -Identity $dn

$children = @(Get-ADObject -SearchBase $unit.DistinguishedName -SearchScope OneLevel -Filter '*')
if ($children.Count -gt 0 -and -not $recursive) {
    $message = "The organizational unit $($unit.DistinguishedName) is not empty ($($children.Count) objects directly below it); it was not deleted. Move or delete its objects first, or allow a recursive delete."
    Write-Error -Message $message -ErrorId 'EntraWriteback.Refused' -Category ResourceExists -TargetObject $unit.DistinguishedName
}

Set-ADObject -Identity $unit.DistinguishedName -ProtectedFromAccidentalDeletion $false
Remove-ADOrganizationalUnit -Identity $unit.DistinguishedName -Recursive:$recursive -Confirm:$false

$result = [ordered]@{
    removed = $true
}
ConvertTo-Json -InputObject $result -Compress -Depth 10
