package ca

import "strings"

// App is a well-known Microsoft first-party application.
type App struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Groups are the Conditional Access app groups that contain it
	// ("Office365", "MicrosoftAdminPortals"), per Microsoft's documentation.
	Groups []string `json:"groups,omitempty"`
	// Approved marks apps on Microsoft's approved client app list (iOS/Android).
	Approved bool `json:"approved,omitempty"`
	// Aliases are other display names sign-in logs use.
	Aliases []string `json:"aliases,omitempty"`
}

const (
	groupO365   = "Office365"
	groupAdmin  = "MicrosoftAdminPortals"
	azureMgmtID = "797f4846-ba00-4fd7-ba43-dac1f8f63013"
)

// apps are well-known first-party app IDs (public constants Microsoft
// documents). Azure Portal, Azure PowerShell and Azure CLI request tokens for
// the Windows Azure Service Management API, which Conditional Access targets
// as "Microsoft Azure Management" (797f4846-…); they are listed with that ID
// as an alias target so policies on it match them.
var apps = []App{
	{ID: "00000002-0000-0ff1-ce00-000000000000", Name: "Office 365 Exchange Online", Groups: []string{groupO365}},
	{ID: "00000003-0000-0ff1-ce00-000000000000", Name: "Office 365 SharePoint Online", Groups: []string{groupO365}, Aliases: []string{"SharePoint Online"}},
	{ID: "00000004-0000-0ff1-ce00-000000000000", Name: "Skype for Business Online", Groups: []string{groupO365}},
	{ID: "00000005-0000-0ff1-ce00-000000000000", Name: "Yammer", Groups: []string{groupO365}, Aliases: []string{"Viva Engage"}},
	{ID: "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", Name: "Microsoft Teams Services", Groups: []string{groupO365}},
	{ID: "1fec8e78-bce4-4aaf-ab1b-5451cc387264", Name: "Microsoft Teams", Groups: []string{groupO365}, Approved: true},
	{ID: "4765445b-32c6-49b0-83e6-1d93765276ca", Name: "OfficeHome", Groups: []string{groupO365}, Aliases: []string{"Office.com", "Microsoft 365 portal"}},
	{ID: "d3590ed6-52b3-4102-aeff-aad2292ab01c", Name: "Microsoft Office", Groups: []string{groupO365}},
	{ID: "27922004-5251-4030-b22d-91ecd9a37ea4", Name: "Outlook Mobile", Groups: []string{groupO365}, Approved: true},
	{ID: "ab9b8c07-8f02-4f72-87fa-80105867a763", Name: "OneDrive SyncEngine", Groups: []string{groupO365}},
	{ID: "00000003-0000-0000-c000-000000000000", Name: "Microsoft Graph"},
	{ID: azureMgmtID, Name: "Windows Azure Service Management API", Aliases: []string{"Microsoft Azure Management", "Azure management"}},
	{ID: "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", Name: "Azure Portal", Groups: []string{groupAdmin, azureMgmtID}},
	{ID: "1950a258-227b-4e31-a9cf-717495945fc2", Name: "Microsoft Azure PowerShell", Groups: []string{azureMgmtID}},
	{ID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", Name: "Microsoft Azure CLI", Groups: []string{azureMgmtID}},
}

// LookupApp finds a well-known app by ID or display name (case-insensitive).
func LookupApp(idOrName string) (App, bool) {
	s := strings.TrimSpace(idOrName)
	if s == "" {
		return App{}, false
	}
	for _, a := range apps {
		if strings.EqualFold(a.ID, s) || strings.EqualFold(a.Name, s) || hasFold(a.Aliases, s) {
			return a, true
		}
	}
	return App{}, false
}

// KnownApps lists the well-known apps the evaluator resolves by name.
func KnownApps() []App { return append([]App(nil), apps...) }

// appGroupsOf lists the app groups (and umbrella app IDs) containing id.
func appGroupsOf(id string) []string {
	if a, ok := LookupApp(id); ok {
		return a.Groups
	}
	return nil
}

// roles names built-in directory role template IDs (Microsoft's published
// constants) for explanations.
var roles = map[string]string{
	"62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
	"194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
	"29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
	"f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
	"fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
	"729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator",
	"b1be1c3e-b65d-4f19-8427-f6fa0d97feb9": "Conditional Access Administrator",
	"e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
	"3a2c62db-5318-420d-8d74-23affee5d9d5": "Intune Administrator",
	"158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
	"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
	"c4e39bd9-1100-46d3-8c65-fb160da0071f": "Authentication Administrator",
	"7be44c8a-adaf-4e2a-84d6-ab2649e08a13": "Privileged Authentication Administrator",
	"966707d0-3269-4727-9be2-8c3a10f19b9d": "Password Administrator",
	"b0f54661-2d74-4c50-afa3-1ec803f12efe": "Billing Administrator",
	"5d6b6bb7-de71-4623-b4af-96380a352509": "Security Reader",
	"f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
}

// RoleName returns the built-in role's name for a template ID, or "".
func RoleName(templateID string) string { return roles[strings.ToLower(templateID)] }

// roleNames renders template IDs with their names where known.
func roleNames(ids []string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		if n := RoleName(id); n != "" {
			parts[i] = n + " (" + id + ")"
		} else {
			parts[i] = id
		}
	}
	return strings.Join(parts, ", ")
}
