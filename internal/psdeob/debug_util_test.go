package psdeob

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/secmcp/secmcp/internal/psdeob/pstoken"
)

var pstokenTokenize = pstoken.Tokenize

func dumpNode(n any, depth int) string {
	if depth > 30 {
		return "..."
	}
	v := reflect.ValueOf(n)
	if !v.IsValid() {
		return "nil"
	}
	if v.Kind() == reflect.Ptr {
		if v.IsNil() {
			return "nil"
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return fmt.Sprintf("%v", n)
	}
	var parts []string
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if f.Name == "pos" {
			continue
		}
		fv := v.Field(i)
		switch fv.Kind() {
		case reflect.Slice:
			var items []string
			for j := 0; j < fv.Len(); j++ {
				items = append(items, dumpNode(reflect.NewAt(fv.Index(j).Type(), fv.Index(j).Addr().UnsafePointer()).Elem().Interface(), depth+1))
			}
			parts = append(parts, f.Name+"=["+strings.Join(items, ", ")+"]")
		case reflect.Interface, reflect.Ptr:
			if fv.IsNil() {
				continue
			}
			parts = append(parts, f.Name+"="+dumpNode(reflect.NewAt(fv.Type(), fv.Addr().UnsafePointer()).Elem().Interface(), depth+1))
		default:
			parts = append(parts, fmt.Sprintf("%s=%v", f.Name, reflect.NewAt(fv.Type(), fv.Addr().UnsafePointer()).Elem().Interface()))
		}
	}
	return v.Type().Name() + "{" + strings.Join(parts, " ") + "}"
}
