# Install-MailboxRole-20071130-1729400000.ps1
# Informational script written by Exchange Setup (mode: BuildToBuildUpgrade) on 30.11.2007 17:29:40
# Server: EXMBX02.beispiel.de   Domain controller: dc01.beispiel.de
# Each step carries the ID that setup stores as the Watermark when the step fails.

$RoleFqdnOrName = 'EXMBX02.beispiel.de'
$RoleDomainController = 'dc01.beispiel.de'
$RoleOrganizationName = 'BEISPIEL'
$RoleInstallPath = 'C:\Program Files\Microsoft\Exchange Server\'
$RoleBinPath = 'C:\Program Files\Microsoft\Exchange Server\Bin'

# [ID = a9c3e2f1, Wt = 1, isFatal = False] "Mailbox Performance Counters"
new-PerfCounters -DefinitionFileName MailboxAssistantsPerfCounters.xml
new-PerfCounters -DefinitionFileName MSExchangeIS.xml
new-PerfCounters -DefinitionFileName ReplayPerfCounters.xml

# [ID = 0c77d4b2, Wt = 1, isFatal = False] "Removing address templates"
Remove-AddressTemplates -DomainController $RoleDomainController -Organization $RoleOrganizationName

# [ID = 6e1f0a93, Wt = 1, isFatal = True] "Mailbox Service Configuration"
Set-ExchangeServerRole -Identity $RoleFqdnOrName -IsMailboxServer:$true -DomainController $RoleDomainController
install-MailboxDatabase -StorageGroup 'First Storage Group' -Name 'Mailbox Database'

# [ID = 5b3d6f0e, Wt = 3, isFatal = False] "Starting Information Store"
start-SetupService -ServiceName MSExchangeIS

# [ID = d2a8b7c4, Wt = 1, isFatal = False] "Starting System Attendant"
start-SetupService -ServiceName MSExchangeSA

# [ID = f49e3a10, Wt = 1, isFatal = False] "Starting Mailbox Assistants"
start-SetupService -ServiceName MSExchangeMailboxAssistants

# [ID = 1b6c8e2d, Wt = 1, isFatal = False] "Starting Mail Submission"
start-SetupService -ServiceName MSExchangeMailSubmission

# [ID = 8a0d5f37, Wt = 1, isFatal = False] "Starting Replication Service"
start-SetupService -ServiceName MSExchangeRepl

# [ID = 3e9b1c6a, Wt = 1, isFatal = False] "Starting Search"
start-SetupService -ServiceName msftesql-Exchange
start-SetupService -ServiceName MSExchangeSearch

# [ID = c5f27d81, Wt = 1, isFatal = False] "Mailbox Role Post-Configuration"
Set-MailboxServer -Identity $RoleFqdnOrName -DomainController $RoleDomainController
Update-SafeList -Identity $RoleFqdnOrName

