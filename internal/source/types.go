package source

import "time"

// Incident is a Defender XDR incident (Graph security/incidents).
type Incident struct {
	ID                 string    `json:"id"`
	DisplayName        string    `json:"displayName"`
	Severity           string    `json:"severity"`
	Status             string    `json:"status"`
	Classification     string    `json:"classification,omitempty"`
	Determination      string    `json:"determination,omitempty"`
	AssignedTo         string    `json:"assignedTo,omitempty"`
	CreatedDateTime    time.Time `json:"createdDateTime"`
	LastUpdateDateTime time.Time `json:"lastUpdateDateTime"`
	IncidentWebURL     string    `json:"incidentWebUrl,omitempty"`
	Tags               []string  `json:"tags,omitempty"`
	Comments           []string  `json:"comments,omitempty"`
	Summary            string    `json:"summary,omitempty"`
	// Alerts is filled by GetIncident ($expand=alerts).
	Alerts []Alert `json:"alerts,omitempty"`
}

// Alert is a Graph alerts_v2 alert (Defender, Entra ID Protection, Purview DLP, ...).
type Alert struct {
	ID                   string            `json:"id"`
	ProviderAlertID      string            `json:"providerAlertId,omitempty"`
	IncidentID           string            `json:"incidentId,omitempty"`
	Title                string            `json:"title"`
	Description          string            `json:"description,omitempty"`
	Severity             string            `json:"severity"`
	Status               string            `json:"status"`
	Classification       string            `json:"classification,omitempty"`
	Determination        string            `json:"determination,omitempty"`
	Category             string            `json:"category,omitempty"`
	ServiceSource        string            `json:"serviceSource"`
	DetectionSource      string            `json:"detectionSource,omitempty"`
	DetectorID           string            `json:"detectorId,omitempty"`
	AssignedTo           string            `json:"assignedTo,omitempty"`
	MitreTechniques      []string          `json:"mitreTechniques,omitempty"`
	RecommendedActions   string            `json:"recommendedActions,omitempty"`
	CreatedDateTime      time.Time         `json:"createdDateTime"`
	FirstActivityTime    time.Time         `json:"firstActivityDateTime"`
	LastActivityTime     time.Time         `json:"lastActivityDateTime"`
	AlertWebURL          string            `json:"alertWebUrl,omitempty"`
	Evidence             []Evidence        `json:"evidence,omitempty"`
	AdditionalProperties map[string]string `json:"additionalData,omitempty"`
}

// Evidence is one alertEvidence item, flattened. Kind is the Graph evidence
// type without its namespace ("userEvidence", "deviceEvidence",
// "processEvidence", "fileEvidence", "ipEvidence", "urlEvidence",
// "mailboxEvidence", "analyzedMessageEvidence", "cloudApplicationEvidence",
// "registryKeyEvidence", ...). Only the fields of its kind are set.
type Evidence struct {
	Kind               string    `json:"kind"`
	CreatedDateTime    time.Time `json:"createdDateTime"`
	Verdict            string    `json:"verdict,omitempty"`
	Remediation        string    `json:"remediationStatus,omitempty"`
	Roles              []string  `json:"roles,omitempty"`
	UserPrincipalName  string    `json:"userPrincipalName,omitempty"`
	UserObjectID       string    `json:"userObjectId,omitempty"`
	AccountName        string    `json:"accountName,omitempty"`
	DeviceName         string    `json:"deviceName,omitempty"`
	DeviceID           string    `json:"mdeDeviceId,omitempty"`
	AzureADDeviceID    string    `json:"azureAdDeviceId,omitempty"`
	OSPlatform         string    `json:"osPlatform,omitempty"`
	ProcessID          int64     `json:"processId,omitempty"`
	ProcessCommandLine string    `json:"processCommandLine,omitempty"`
	FileName           string    `json:"fileName,omitempty"`
	FilePath           string    `json:"filePath,omitempty"`
	SHA256             string    `json:"sha256,omitempty"`
	SHA1               string    `json:"sha1,omitempty"`
	IPAddress          string    `json:"ipAddress,omitempty"`
	CountryCode        string    `json:"countryLetterCode,omitempty"`
	URL                string    `json:"url,omitempty"`
	MailboxUPN         string    `json:"mailboxPrimaryAddress,omitempty"`
	Sender             string    `json:"senderIp,omitempty"`
	Subject            string    `json:"subject,omitempty"`
	NetworkMessageID   string    `json:"networkMessageId,omitempty"`
	AppName            string    `json:"displayName,omitempty"`
	AppID              string    `json:"appId,omitempty"`
	RegistryKey        string    `json:"registryKey,omitempty"`
	RegistryValue      string    `json:"registryValue,omitempty"`
}

// SignIn is an Entra ID sign-in (auditLogs/signIns).
type SignIn struct {
	ID                      string            `json:"id"`
	CreatedDateTime         time.Time         `json:"createdDateTime"`
	UserPrincipalName       string            `json:"userPrincipalName"`
	UserID                  string            `json:"userId"`
	UserDisplayName         string            `json:"userDisplayName,omitempty"`
	AppDisplayName          string            `json:"appDisplayName"`
	AppID                   string            `json:"appId"`
	ResourceDisplayName     string            `json:"resourceDisplayName,omitempty"`
	IPAddress               string            `json:"ipAddress"`
	ClientAppUsed           string            `json:"clientAppUsed"`
	IsInteractive           bool              `json:"isInteractive"`
	City                    string            `json:"city,omitempty"`
	CountryOrRegion         string            `json:"countryOrRegion,omitempty"`
	DeviceID                string            `json:"deviceId,omitempty"`
	DeviceName              string            `json:"deviceDisplayName,omitempty"`
	OperatingSystem         string            `json:"operatingSystem,omitempty"`
	Browser                 string            `json:"browser,omitempty"`
	IsCompliant             bool              `json:"isCompliant"`
	IsManaged               bool              `json:"isManaged"`
	TrustType               string            `json:"trustType,omitempty"`
	ErrorCode               int32             `json:"errorCode"`
	FailureReason           string            `json:"failureReason,omitempty"`
	RiskLevelDuringSignIn   string            `json:"riskLevelDuringSignIn"`
	RiskLevelAggregated     string            `json:"riskLevelAggregated,omitempty"`
	RiskState               string            `json:"riskState,omitempty"`
	RiskEventTypes          []string          `json:"riskEventTypes,omitempty"`
	ConditionalAccessStatus string            `json:"conditionalAccessStatus"`
	AppliedCAPolicies       []AppliedCAPolicy `json:"appliedConditionalAccessPolicies,omitempty"`
	// AdditionalDetails is status.additionalDetails, the v1.0 sentence that
	// records how authentication requirements were met.
	AdditionalDetails string `json:"additionalDetails,omitempty"`
	// MFASatisfied is true when the v1.0 record says MFA was completed
	// (status.additionalDetails); false means v1.0 does not say so, not that
	// no MFA was done.
	MFASatisfied bool `json:"mfaSatisfied"`
}

// AppliedCAPolicy is one appliedConditionalAccessPolicy entry recorded on a sign-in.
// Result is one of success, failure, notApplied, notEnabled, unknownFutureValue,
// reportOnlySuccess, reportOnlyFailure, reportOnlyNotApplied, reportOnlyInterrupted.
type AppliedCAPolicy struct {
	ID                      string   `json:"id"`
	DisplayName             string   `json:"displayName"`
	Result                  string   `json:"result"`
	EnforcedGrantControls   []string `json:"enforcedGrantControls,omitempty"`
	EnforcedSessionControls []string `json:"enforcedSessionControls,omitempty"`
}

// RiskyUser is an Entra ID Protection risky user.
type RiskyUser struct {
	ID                string    `json:"id"`
	UserPrincipalName string    `json:"userPrincipalName"`
	UserDisplayName   string    `json:"userDisplayName,omitempty"`
	RiskLevel         string    `json:"riskLevel"`
	RiskState         string    `json:"riskState"`
	RiskDetail        string    `json:"riskDetail,omitempty"`
	RiskLastUpdated   time.Time `json:"riskLastUpdatedDateTime"`
	IsDeleted         bool      `json:"isDeleted,omitempty"`
}

// RiskDetection is an Entra ID Protection risk detection.
type RiskDetection struct {
	ID                string    `json:"id"`
	UserPrincipalName string    `json:"userPrincipalName"`
	UserID            string    `json:"userId"`
	RiskEventType     string    `json:"riskEventType"`
	RiskLevel         string    `json:"riskLevel"`
	RiskState         string    `json:"riskState"`
	RiskDetail        string    `json:"riskDetail,omitempty"`
	DetectionTiming   string    `json:"detectionTimingType,omitempty"`
	Activity          string    `json:"activity,omitempty"`
	Source            string    `json:"source,omitempty"`
	IPAddress         string    `json:"ipAddress,omitempty"`
	City              string    `json:"city,omitempty"`
	CountryOrRegion   string    `json:"countryOrRegion,omitempty"`
	RequestID         string    `json:"requestId,omitempty"`
	DetectedDateTime  time.Time `json:"detectedDateTime"`
	ActivityDateTime  time.Time `json:"activityDateTime"`
}

// CAPolicy is a Conditional Access policy with the conditions the evaluator needs.
type CAPolicy struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	// State is enabled, disabled or enabledForReportingButNotEnforced.
	State            string    `json:"state"`
	CreatedDateTime  time.Time `json:"createdDateTime,omitempty"`
	ModifiedDateTime time.Time `json:"modifiedDateTime,omitempty"`

	IncludeUsers  []string `json:"includeUsers,omitempty"`
	ExcludeUsers  []string `json:"excludeUsers,omitempty"`
	IncludeGroups []string `json:"includeGroups,omitempty"`
	ExcludeGroups []string `json:"excludeGroups,omitempty"`
	IncludeRoles  []string `json:"includeRoles,omitempty"`
	ExcludeRoles  []string `json:"excludeRoles,omitempty"`
	// IncludeGuestsOrExternalUsers / ExcludeGuestsOrExternalUsers: guestOrExternalUserTypes list, "" when absent.
	IncludeGuestsOrExternalUsers string `json:"includeGuestsOrExternalUsers,omitempty"`
	ExcludeGuestsOrExternalUsers string `json:"excludeGuestsOrExternalUsers,omitempty"`

	IncludeApplications []string `json:"includeApplications,omitempty"`
	ExcludeApplications []string `json:"excludeApplications,omitempty"`
	IncludeUserActions  []string `json:"includeUserActions,omitempty"`

	ClientAppTypes   []string `json:"clientAppTypes,omitempty"`
	IncludePlatforms []string `json:"includePlatforms,omitempty"`
	ExcludePlatforms []string `json:"excludePlatforms,omitempty"`
	IncludeLocations []string `json:"includeLocations,omitempty"`
	ExcludeLocations []string `json:"excludeLocations,omitempty"`
	SignInRiskLevels []string `json:"signInRiskLevels,omitempty"`
	UserRiskLevels   []string `json:"userRiskLevels,omitempty"`
	DeviceFilterMode string   `json:"deviceFilterMode,omitempty"`
	DeviceFilterRule string   `json:"deviceFilterRule,omitempty"`

	// GrantOperator is AND or OR.
	GrantOperator          string   `json:"grantOperator,omitempty"`
	BuiltInControls        []string `json:"builtInControls,omitempty"`
	AuthenticationStrength string   `json:"authenticationStrength,omitempty"`
	TermsOfUse             []string `json:"termsOfUse,omitempty"`
	SessionControls        []string `json:"sessionControls,omitempty"`
}

// NamedLocation is an Entra named location (IP ranges or countries).
type NamedLocation struct {
	ID                      string   `json:"id"`
	DisplayName             string   `json:"displayName"`
	Kind                    string   `json:"kind"` // ip or country
	IsTrusted               bool     `json:"isTrusted,omitempty"`
	IPRanges                []string `json:"ipRanges,omitempty"`
	Countries               []string `json:"countriesAndRegions,omitempty"`
	IncludeUnknownCountries bool     `json:"includeUnknownCountriesAndRegions,omitempty"`
}

// User is an Entra ID user with the attributes CA evaluation needs.
type User struct {
	ID                string   `json:"id"`
	UserPrincipalName string   `json:"userPrincipalName"`
	DisplayName       string   `json:"displayName"`
	Department        string   `json:"department,omitempty"`
	JobTitle          string   `json:"jobTitle,omitempty"`
	UserType          string   `json:"userType,omitempty"` // Member or Guest
	AccountEnabled    bool     `json:"accountEnabled"`
	Groups            []string `json:"groups,omitempty"` // group object IDs
	Roles             []string `json:"roles,omitempty"`  // directory role template IDs
}

// ManagedDevice is an Intune managed device.
type ManagedDevice struct {
	ID                              string    `json:"id"`
	DeviceName                      string    `json:"deviceName"`
	AzureADDeviceID                 string    `json:"azureADDeviceId,omitempty"`
	UserPrincipalName               string    `json:"userPrincipalName,omitempty"`
	OperatingSystem                 string    `json:"operatingSystem"`
	OSVersion                       string    `json:"osVersion"`
	ComplianceState                 string    `json:"complianceState"`
	ComplianceGracePeriodExpiration time.Time `json:"complianceGracePeriodExpirationDateTime,omitempty"`
	ManagementAgent                 string    `json:"managementAgent,omitempty"`
	OwnerType                       string    `json:"managedDeviceOwnerType,omitempty"`
	IsEncrypted                     bool      `json:"isEncrypted"`
	JailBroken                      string    `json:"jailBroken,omitempty"`
	Model                           string    `json:"model,omitempty"`
	Manufacturer                    string    `json:"manufacturer,omitempty"`
	SerialNumber                    string    `json:"serialNumber,omitempty"`
	EnrolledDateTime                time.Time `json:"enrolledDateTime"`
	LastSyncDateTime                time.Time `json:"lastSyncDateTime"`
}

// CompliancePolicyState is a device's state for one compliance policy.
type CompliancePolicyState struct {
	ID            string         `json:"id"`
	DisplayName   string         `json:"displayName"`
	PlatformType  string         `json:"platformType,omitempty"`
	State         string         `json:"state"`
	SettingCount  int32          `json:"settingCount"`
	SettingStates []SettingState `json:"settingStates,omitempty"`
}

// SettingState is one compliance setting's state on a device.
type SettingState struct {
	Setting          string `json:"setting"`
	SettingName      string `json:"settingName,omitempty"`
	State            string `json:"state"`
	CurrentValue     string `json:"currentValue,omitempty"`
	ErrorDescription string `json:"errorDescription,omitempty"`
}

// CompliancePolicy is an Intune device compliance policy with its settings as
// property → value (the platform-specific Graph properties such as
// "bitLockerEnabled", "osMinimumVersion", "passwordMinimumLength").
type CompliancePolicy struct {
	ID               string         `json:"id"`
	DisplayName      string         `json:"displayName"`
	ODataType        string         `json:"@odata.type"`
	Settings         map[string]any `json:"settings"`
	GracePeriodHours int32          `json:"gracePeriodHours,omitempty"`
	CreatedDateTime  time.Time      `json:"createdDateTime,omitempty"`
}
