package graph

import (
	"context"
	"errors"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/secmcp/secmcp/internal/source"
)

// Lean response models. The SDK's user, directoryObject and managedDevice
// models deserialise every navigation property they declare (a user's
// drive, mail, calendar, insights; a device's users), and each of those
// reaches the next, so reading any one of them links almost all of the
// SDK's ~1,900 models into the binary: 32 MB of its 68 MB, 1,700 of its
// 3,000 interface tables, which the Go runtime touches at every start
// (issue 16: about 3.7 MiB of peak RSS). These three endpoints therefore
// send the SDK request builders' own RequestInformation (URL template,
// query parameters, Accept header) through the same request adapter and
// error mapping, and read only the properties the source types carry, with
// the same kiota parse-node getters and the SDK's own enum parsers, so the
// values are exactly what the SDK models held.

// errorMapping is the SDK request builders' own: any 4xx/5xx body is an
// OData error.
var errorMapping = abs.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}

// fields are a lean model's property deserialisers.
type fields = map[string]func(serialization.ParseNode) error

// readOnly is the Serialize of a lean model: they are never sent.
type readOnly struct{}

func (readOnly) Serialize(serialization.SerializationWriter) error {
	return errors.New("graph: a response model cannot be serialised")
}

// send sends info through the client's request adapter and returns the
// parsed model, or nil when Graph answered without a body.
func send[T serialization.Parsable](ctx context.Context, c *Client, info *abs.RequestInformation, err error, ctor func() T) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	res, err := c.adapter.Send(ctx, info, func(serialization.ParseNode) (serialization.Parsable, error) { return ctor(), nil }, errorMapping)
	if err != nil || res == nil {
		return zero, err
	}
	return res.(T), nil
}

func setStr(dst *string) func(serialization.ParseNode) error {
	return func(n serialization.ParseNode) error {
		v, err := n.GetStringValue()
		if err == nil {
			*dst = str(v)
		}
		return err
	}
}

func setStrPtr(dst **string) func(serialization.ParseNode) error {
	return func(n serialization.ParseNode) error {
		v, err := n.GetStringValue()
		if err == nil {
			*dst = v
		}
		return err
	}
}

func setBool(dst *bool) func(serialization.ParseNode) error {
	return func(n serialization.ParseNode) error {
		v, err := n.GetBoolValue()
		if err == nil {
			*dst = boolv(v)
		}
		return err
	}
}

func setTime(dst *time.Time) func(serialization.ParseNode) error {
	return func(n serialization.ParseNode) error {
		v, err := n.GetTimeValue()
		if err == nil {
			*dst = tm(v)
		}
		return err
	}
}

// setEnum reads an enum with the SDK's parser and keeps Graph's string
// for it ("" for a member the SDK does not know, as the models do).
func setEnum(dst *string, parse func(string) (any, error)) func(serialization.ParseNode) error {
	return func(n serialization.ParseNode) error {
		v, err := n.GetEnumValue(parse)
		if err == nil {
			*dst = ""
			if s, ok := v.(interface{ String() string }); ok && v != nil {
				*dst = s.String()
			}
		}
		return err
	}
}

// collection is a Graph collection response of lean items.
type collection[T serialization.Parsable] struct {
	readOnly
	value []T
	next  *string
	item  func() T
}

func (l *collection[T]) GetValue() []T             { return l.value }
func (l *collection[T]) GetOdataNextLink() *string { return l.next }

func (l *collection[T]) GetFieldDeserializers() fields {
	return fields{
		"@odata.nextLink": setStrPtr(&l.next),
		"value": func(n serialization.ParseNode) error {
			vs, err := n.GetCollectionOfObjectValues(func(serialization.ParseNode) (serialization.Parsable, error) { return l.item(), nil })
			if err != nil {
				return err
			}
			l.value = make([]T, len(vs))
			for i, v := range vs {
				if v != nil {
					l.value[i] = v.(T)
				}
			}
			return nil
		},
	}
}

func newCollection[T serialization.Parsable](item func() T) func() *collection[T] {
	return func() *collection[T] { return &collection[T]{item: item} }
}

// user is the part of a user GetUser returns.
type user struct {
	readOnly
	u source.User
}

func (m *user) GetFieldDeserializers() fields {
	u := &m.u
	return fields{"id": setStr(&u.ID), "userPrincipalName": setStr(&u.UserPrincipalName), "displayName": setStr(&u.DisplayName),
		"department": setStr(&u.Department), "jobTitle": setStr(&u.JobTitle), "userType": setStr(&u.UserType),
		"accountEnabled": setBool(&u.AccountEnabled)}
}

// membership is a directoryObject of transitiveMemberOf: a group (its id
// counts) or a directory role (its roleTemplateId counts); the kind comes
// from @odata.type, as the SDK's discriminator reads it.
type membership struct {
	readOnly
	odataType, id, roleTemplateID string
}

func (m *membership) GetFieldDeserializers() fields {
	return fields{"@odata.type": setStr(&m.odataType), "id": setStr(&m.id), "roleTemplateId": setStr(&m.roleTemplateID)}
}

// managedDevice is the part of an Intune managedDevice the source carries.
type managedDevice struct {
	readOnly
	d source.ManagedDevice
}

func (m *managedDevice) GetFieldDeserializers() fields {
	d := &m.d
	return fields{"id": setStr(&d.ID), "deviceName": setStr(&d.DeviceName), "azureADDeviceId": setStr(&d.AzureADDeviceID),
		"userPrincipalName": setStr(&d.UserPrincipalName), "operatingSystem": setStr(&d.OperatingSystem),
		"osVersion": setStr(&d.OSVersion), "complianceState": setEnum(&d.ComplianceState, models.ParseComplianceState),
		"complianceGracePeriodExpirationDateTime": setTime(&d.ComplianceGracePeriodExpiration),
		"managementAgent":                         setEnum(&d.ManagementAgent, models.ParseManagementAgentType),
		"managedDeviceOwnerType":                  setEnum(&d.OwnerType, models.ParseManagedDeviceOwnerType),
		"isEncrypted":                             setBool(&d.IsEncrypted), "jailBroken": setStr(&d.JailBroken), "model": setStr(&d.Model),
		"manufacturer": setStr(&d.Manufacturer), "serialNumber": setStr(&d.SerialNumber),
		"enrolledDateTime": setTime(&d.EnrolledDateTime), "lastSyncDateTime": setTime(&d.LastSyncDateTime)}
}
