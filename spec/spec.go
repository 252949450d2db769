// Package spec declares a plugin's parameters once, as a Go struct with tags,
// and derives everything else from that one declaration: decoding a job
// file's "parameter" object into the struct, validation with messages that
// name the JSON path and suggest the nearest key, defaults, secrets that
// never print, and the reference shown by `datax plugins describe` and the
// README.
//
// A field is declared with these tags:
//
//	json:"name"          the parameter's key (required; "-" skips the field)
//	doc:"..."            one line of documentation
//	required:"true"      the key must be present (and a string not empty)
//	default:"..."        the value used when the key is absent, as JSON text or a bare string
//	enum:"a,b,c"         allowed values (matched case-insensitively, stored as declared)
//	example:"..."        a sample value for the reference
//	type:"..."           the type's name in the reference, when the Go type does not say it
//
// Field types: string, bool, int, int64, float64, Secret, Duration, StringList,
// []T, structs (objects), map[string]string, any (kept as decoded JSON), and
// any type whose pointer implements Unmarshaler.
package spec

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
)

// Param describes one declared parameter.
type Param struct {
	Name       string
	Type       string
	Doc        string
	Required   bool
	Default    string
	HasDefault bool
	Enum       []string
	Example    string
	Secret     bool
	// Fields holds the parameters of an object or of each object in a list.
	Fields []Param

	index []int // field index path (embedded structs share their fields)
	goTyp reflect.Type
}

// Spec is the declaration of a parameter object.
type Spec struct {
	Params []Param
	typ    reflect.Type
}

var cache sync.Map // reflect.Type → *Spec

// Of returns the spec declared by the struct type of v (a struct or a pointer
// to one). A malformed declaration is a programming error and panics.
func Of(v any) *Spec {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return ofType(t)
}

func ofType(t reflect.Type) *Spec {
	if s, ok := cache.Load(t); ok {
		return s.(*Spec)
	}
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("spec: %s is not a struct", t))
	}
	s := &Spec{typ: t}
	seen := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			// An embedded struct without a json tag shares its parameters
			// (a group several plugins declare once, e.g. HDFS connection keys).
			for _, sp := range ofType(f.Type).Params {
				if seen[sp.Name] {
					panic(fmt.Sprintf("spec: %s declares %q twice (through %s)", t, sp.Name, f.Name))
				}
				seen[sp.Name] = true
				sp.index = append([]int{i}, sp.index...)
				s.Params = append(s.Params, sp)
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			panic(fmt.Sprintf("spec: field %s.%s has no json tag", t, f.Name))
		}
		if seen[name] {
			panic(fmt.Sprintf("spec: %s declares %q twice", t, name))
		}
		seen[name] = true
		p := Param{
			Name:     name,
			Doc:      f.Tag.Get("doc"),
			Required: f.Tag.Get("required") == "true",
			Example:  f.Tag.Get("example"),
			index:    []int{i},
			goTyp:    f.Type,
		}
		p.Default, p.HasDefault = f.Tag.Lookup("default")
		if e := f.Tag.Get("enum"); e != "" {
			p.Enum = strings.Split(e, ",")
		}
		p.Secret = f.Type == reflect.TypeFor[Secret]()
		p.Type = f.Tag.Get("type")
		if p.Type == "" {
			p.Type = typeName(f.Type)
		}
		if st := structOf(f.Type); st != nil && !implementsUnmarshaler(f.Type) {
			p.Fields = ofType(st).Params
		}
		if p.Doc == "" {
			panic(fmt.Sprintf("spec: %s.%s (%q) has no doc tag", t, f.Name, name))
		}
		s.Params = append(s.Params, p)
	}
	actual, _ := cache.LoadOrStore(t, s)
	return actual.(*Spec)
}

// structOf returns the struct type of an object or list-of-objects field.
func structOf(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct && t != reflect.TypeFor[Duration]() {
		return t
	}
	return nil
}

func implementsUnmarshaler(t reflect.Type) bool {
	u := reflect.TypeFor[Unmarshaler]()
	return t.Implements(u) || reflect.PointerTo(t).Implements(u)
}

func typeName(t reflect.Type) string {
	if implementsUnmarshaler(t) {
		base := t
		if base.Kind() == reflect.Pointer {
			base = base.Elem()
		}
		if n, ok := reflect.New(base).Interface().(interface{ ParamType() string }); ok {
			return n.ParamType()
		}
	}
	switch t {
	case reflect.TypeFor[Secret]():
		return "string (secret)"
	case reflect.TypeFor[Duration]():
		return "duration"
	case reflect.TypeFor[StringList]():
		return "string or list of strings"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "int"
	case reflect.Float64:
		return "number"
	case reflect.Slice:
		return "list of " + strings.TrimSuffix(typeName(t.Elem()), "s") + "s"
	case reflect.Struct:
		return "object"
	case reflect.Map:
		return "object (map)"
	case reflect.Pointer:
		return typeName(t.Elem())
	case reflect.Interface:
		return "any"
	}
	return t.String()
}

// Lookup returns the declared parameter with the given name.
func (s *Spec) Lookup(name string) (Param, bool) {
	for _, p := range s.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// Names returns the declared parameter names, sorted.
func (s *Spec) Names() []string {
	names := make([]string, len(s.Params))
	for i, p := range s.Params {
		names[i] = p.Name
	}
	sort.Strings(names)
	return names
}
