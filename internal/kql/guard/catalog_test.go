package guard

import (
	"testing"

	"github.com/secmcp/secmcp/internal/kql/catalog"
)

// TestTimeWindowCapFromCatalogue: with the table catalogue's schemas the
// window cap filters each product's own time column and leaves the
// snapshot tables that have none (DeviceTvm* in Advanced Hunting) alone.
func TestTimeWindowCapFromCatalogue(t *testing.T) {
	cases := []struct {
		product  catalog.Product
		in, want string
	}{
		{catalog.Defender, "DeviceProcessEvents", "DeviceProcessEvents\n| where Timestamp > ago(7d)"},
		{catalog.Sentinel, "DeviceProcessEvents", "DeviceProcessEvents\n| where TimeGenerated > ago(7d)"},
		{catalog.Defender, "DeviceTvmSoftwareInventory", "DeviceTvmSoftwareInventory"},
		{catalog.Sentinel, "DeviceTvmSoftwareInventory", "DeviceTvmSoftwareInventory\n| where TimeGenerated > ago(7d)"},
		{"", "DeviceTvmSoftwareVulnerabilities", "DeviceTvmSoftwareVulnerabilities"},
		{"", "SigninLogs", "SigninLogs\n| where TimeGenerated > ago(7d)"},
	}
	for _, c := range cases {
		r := Check(c.in, Options{MaxRows: -1, MaxWindow: 7 * day, Schema: catalog.Schema(c.product)})
		if r.Query != c.want {
			t.Errorf("%s %q →\n%s\nwant\n%s", c.product, c.in, r.Query, c.want)
		}
	}
}
