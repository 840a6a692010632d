@{
    RootModule           = 'EntraWriteback.psm1'
    ModuleVersion        = '1.0.0'
    GUID                 = '6f0c2a4e-5d1b-4c8e-9a3f-2b7d8e1c4a90'
    Author               = 'entra-writeback'
    Description          = 'The operations entra-writeback runs on a Microsoft Entra Connect server (group writeback): one function per operation, usable by hand with Get-Help and -WhatIf.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FunctionsToExport    = @(
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
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
}
