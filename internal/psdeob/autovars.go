package psdeob

// Known values of automatic variables and environment variables on a default
// Windows 10/11 host. Obfuscators index into these to spell "iex"; treating
// them as constants is what makes those spellings decodable.
var autoVars = map[string]value{
	"pshome":                "C:\\Windows\\System32\\WindowsPowerShell\\v1.0",
	"shellid":               "Microsoft.PowerShell",
	"verbosepreference":     "SilentlyContinue",
	"debugpreference":       "SilentlyContinue",
	"erroractionpreference": "Continue",
	"warningpreference":     "Continue",
	"progresspreference":    "Continue",
	"informationpreference": "SilentlyContinue",
	"confirmpreference":     "High",
	"whatifpreference":      false,
	"maximumdrivecount":     int64(4096),
	"maximumhistorycount":   int64(4096),
	"maximumfunctioncount":  int64(4096),
	"maximumvariablecount":  int64(4096),
	"maximumaliascount":     int64(4096),
	"maximumerrorcount":     int64(256),
	"true":                  true,
	"false":                 false,
	"null":                  nil,
	"?":                     true,
	"psculture":             "en-US",
	"psuiculture":           "en-US",
	"nestedpromptlevel":     int64(0),
	"pid":                   int64(4242),
	"home":                  "C:\\Users\\user",
	"psemailserver":         nil,
	"psscriptroot":          "",
	"pscommandpath":         "",
}

// autoVarNames lists names that Get-Variable wildcard lookups enumerate, in
// the order PowerShell lists them (alphabetical).
var autoVarNames = []string{
	"$", "?", "^", "args", "ConfirmPreference", "ConsoleFileName", "DebugPreference", "Error", "ErrorActionPreference",
	"ErrorView", "ExecutionContext", "false", "FormatEnumerationLimit", "HOME", "Host", "InformationPreference", "input",
	"MaximumAliasCount", "MaximumDriveCount", "MaximumErrorCount", "MaximumFunctionCount", "MaximumHistoryCount",
	"MaximumVariableCount", "MyInvocation", "NestedPromptLevel", "null", "OutputEncoding", "PID", "PROFILE",
	"ProgressPreference", "PSBoundParameters", "PSCommandPath", "PSCulture", "PSDefaultParameterValues", "PSEdition",
	"PSEmailServer", "PSHOME", "PSScriptRoot", "PSSessionApplicationName", "PSSessionConfigurationName",
	"PSSessionOption", "PSUICulture", "PSVersionTable", "PWD", "ShellId", "StackTrace", "true", "VerbosePreference",
	"WarningPreference", "WhatIfPreference",
}

var defaultEnv = map[string]string{
	"comspec":                "C:\\WINDOWS\\system32\\cmd.exe",
	"windir":                 "C:\\WINDOWS",
	"systemroot":             "C:\\WINDOWS",
	"systemdrive":            "C:",
	"public":                 "C:\\Users\\Public",
	"programdata":            "C:\\ProgramData",
	"allusersprofile":        "C:\\ProgramData",
	"programfiles":           "C:\\Program Files",
	"programfiles(x86)":      "C:\\Program Files (x86)",
	"commonprogramfiles":     "C:\\Program Files\\Common Files",
	"processor_architecture": "AMD64",
	"os":                     "Windows_NT",
	"pathext":                ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC;.CPL",
	"psmodulepath":           "C:\\Users\\user\\Documents\\WindowsPowerShell\\Modules;C:\\Program Files\\WindowsPowerShell\\Modules;C:\\WINDOWS\\system32\\WindowsPowerShell\\v1.0\\Modules",
	"homedrive":              "C:",
	"temp":                   "C:\\Users\\user\\AppData\\Local\\Temp",
	"tmp":                    "C:\\Users\\user\\AppData\\Local\\Temp",
	"appdata":                "C:\\Users\\user\\AppData\\Roaming",
	"localappdata":           "C:\\Users\\user\\AppData\\Local",
	"userprofile":            "C:\\Users\\user",
	"username":               "user",
	"computername":           "HOST",
}

// knownCmdlets is the list wildcard command lookups are resolved against
// ($ExecutionContext.InvokeCommand.GetCommandName('*ke-*pr*',1,1), gcm i*x).
var knownCmdlets = []string{
	"Add-Type", "ConvertTo-SecureString", "ForEach-Object", "Get-ChildItem", "Get-Command", "Get-Content", "Get-Item",
	"Get-Variable", "Invoke-Command", "Invoke-Expression", "Invoke-RestMethod", "Invoke-WebRequest", "New-Object",
	"Out-String", "Set-Item", "Set-Variable", "Start-Process", "Start-Sleep", "Where-Object", "Write-Host", "Write-Output",
}
