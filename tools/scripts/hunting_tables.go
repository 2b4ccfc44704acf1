package scripts

import "slices"

func networkQuery(in huntInputs) (HuntingQuery, bool) {
	var clauses []string
	if len(in.domains) > 0 {
		clauses = append(clauses, "RemoteUrl has_any "+kqlList(in.domains))
	}
	if len(in.ips) > 0 {
		clauses = append(clauses, "RemoteIP in "+kqlList(in.ips))
	}
	if len(clauses) == 0 {
		return HuntingQuery{}, false
	}
	return HuntingQuery{
		Name: "network-connections", Table: "DeviceNetworkEvents",
		Purpose: "Devices that connected to the script's download or C2 hosts.",
		Query: query("DeviceNetworkEvents", clauses,
			"Timestamp, DeviceName, ActionType, RemoteUrl, RemoteIP, RemotePort, InitiatingProcessFileName, InitiatingProcessCommandLine"),
		Values: slices.Concat(in.domains, in.ips),
	}, true
}

func urlClickQuery(in huntInputs) (HuntingQuery, bool) {
	if len(in.domains) == 0 {
		return HuntingQuery{}, false
	}
	return HuntingQuery{
		Name: "url-clicks", Table: "UrlClickEvents",
		Purpose: "Users who clicked links to the script's hosts in mail, Teams or Office.",
		Query: query("UrlClickEvents", []string{"Url has_any " + kqlList(in.domains)},
			"Timestamp, AccountUpn, Url, ActionType, Workload, IPAddress, NetworkMessageId"),
		Values: in.domains,
	}, true
}

func processQuery(in huntInputs) (HuntingQuery, bool) {
	var clauses []string
	var vals []string
	if len(in.blobs) > 0 {
		clauses = append(clauses, anyOf("ProcessCommandLine", "contains", in.blobs))
		vals = append(vals, in.blobs...)
	}
	if len(in.fragments) >= 2 {
		clauses = append(clauses, allOf("ProcessCommandLine", "contains", in.fragments))
		vals = append(vals, in.fragments...)
	}
	if len(in.domains) > 0 {
		clauses = append(clauses, "ProcessCommandLine has_any "+kqlList(in.domains))
		vals = append(vals, in.domains...)
	}
	if len(clauses) == 0 {
		return HuntingQuery{}, false
	}
	return HuntingQuery{
		Name: "process-command-lines", Table: "DeviceProcessEvents",
		Purpose: "Processes started with the same encoded command, the same launcher switches or the script's hosts on the command line.",
		Query: query("DeviceProcessEvents", clauses,
			"Timestamp, DeviceName, AccountName, FileName, ProcessCommandLine, InitiatingProcessFileName, SHA256"),
		Values: vals,
	}, true
}

func fileQuery(in huntInputs) (HuntingQuery, bool) {
	var clauses []string
	if len(in.files) > 0 {
		clauses = append(clauses, "FileName in~ "+kqlList(in.files))
	}
	if len(in.domains) > 0 {
		clauses = append(clauses, "FileOriginUrl has_any "+kqlList(in.domains))
	}
	if len(clauses) == 0 {
		return HuntingQuery{}, false
	}
	return HuntingQuery{
		Name: "dropped-files", Table: "DeviceFileEvents",
		Purpose: "Files with the names the script downloads or writes, or downloaded from its hosts.",
		Query: query("DeviceFileEvents", clauses,
			"Timestamp, DeviceName, ActionType, FolderPath, FileName, SHA256, FileOriginUrl, InitiatingProcessCommandLine"),
		Values: slices.Concat(in.files, in.domains),
	}, true
}

func hashQuery(in huntInputs) (HuntingQuery, bool) {
	var clauses []string
	for _, c := range []struct {
		col  string
		vals []string
	}{{"SHA256", in.sha256}, {"SHA1", in.sha1}, {"MD5", in.md5}} {
		if len(c.vals) > 0 {
			clauses = append(clauses, c.col+" in~ "+kqlList(c.vals))
		}
	}
	if len(clauses) == 0 {
		return HuntingQuery{}, false
	}
	return HuntingQuery{
		Name: "file-hashes", Table: "DeviceFileEvents",
		Purpose: "Files whose hash the script names.",
		Query: query("DeviceFileEvents", clauses,
			"Timestamp, DeviceName, ActionType, FolderPath, FileName, SHA256, SHA1, MD5"),
		Values: slices.Concat(in.sha256, in.sha1, in.md5),
	}, true
}

func registryQuery(in huntInputs) (HuntingQuery, bool) {
	if len(in.keys) == 0 {
		return HuntingQuery{}, false
	}
	return HuntingQuery{
		Name: "registry-keys", Table: "DeviceRegistryEvents",
		Purpose: "Changes under the registry keys the script touches (hive-independent: HKCU is recorded per user SID).",
		Query: query("DeviceRegistryEvents", []string{anyOf("RegistryKey", "contains", in.keys)},
			"Timestamp, DeviceName, ActionType, RegistryKey, RegistryValueName, RegistryValueData, InitiatingProcessFileName"),
		Values: in.keys,
	}, true
}
